"""Human feedback: collect rankings of model answers, and turn them into training data.

    store = FeedbackStore()                        # workspace/feedback.sqlite
    ids = store.add_prompts(["What is 2 + 3?"])
    generate_candidates(store, loaded_run, ids, k=4, sampling=Sampling(temperature=1.0), origin="base")
    store.save_ranking(ids[0], "ana", {cand1: 1, cand2: 2, cand3: 2})
    export(store, "pairs.jsonl")                    # prompt/chosen/rejected for reward / dpo / rl
    preset, recipe = training_recipe("dpo", training_data(store, "dpo")["file"])   # ready to train
"""
from .generate import MAX_K, MIN_K, generate_candidates
from .loop import add_new_prompts, pending_prompt_ids, reward_accuracy, training_data, training_recipe
from .pairs import PAIR_MODES, ranked_lists, ranking_pairs, thumbs_rows
from .store import Candidate, FeedbackStore, Judgement
from .transfer import EXPORT_SHAPES, export, import_file, write_rows

__all__ = ["FeedbackStore", "Candidate", "Judgement", "generate_candidates", "MIN_K", "MAX_K",
           "ranking_pairs", "thumbs_rows", "ranked_lists", "PAIR_MODES", "export", "import_file", "write_rows",
           "EXPORT_SHAPES", "add_new_prompts", "pending_prompt_ids", "training_data", "training_recipe",
           "reward_accuracy"]
