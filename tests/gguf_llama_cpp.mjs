// llama.cpp itself (node-llama-cpp's prebuilt CPU binary) on a studio GGUF, for test_gguf_export.py.
//   node gguf_llama_cpp.mjs model.gguf in.json   # in: {texts, prompt, n}
// Prints {ids: token ids of each text, generated: n greedy tokens after the prompt, arch}.
import {getLlama} from "node-llama-cpp";
import fs from "node:fs";

const [modelPath, inFile] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(inFile, "utf8"));
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath});
const out = {ids: spec.texts.map((t) => model.tokenize(t, true).map(Number)), generated: [],
             arch: model.fileInfo.metadata.general.architecture};
const context = await model.createContext({contextSize: 256});
for await (const token of context.getSequence().evaluate(model.tokenize(spec.prompt, true), {temperature: 0})) {
  out.generated.push(Number(token));
  if (out.generated.length >= spec.n) break;
}
console.log(JSON.stringify(out));
await context.dispose();
await model.dispose();
