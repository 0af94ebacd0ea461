"""The web studio: the only package that imports gradio.

    app.py         the builder: page frame, language switch, one tab per module in TABS
    launch.py      serve(host, port, share, auth, demo), what `python app.py` and `python -m studio serve` run
    page_head.py   scripts put first into each page (frame_budget.js: a cheap idle page)
    context.py     the app's own state (job manager, the loaded chat model), made per app
    shell.py       what each tab is given: context, texts, recipe form, shared states
    texts.py       every visible string as a locale key, re-rendered when the language changes
    form.py        recipe fields as widgets, built from the schema in studio.recipe
    recipes.py     presets, recipe YAML in and out, the equivalent CLI command
    runview.py     a run folder as the Train tab shows it, kept live by train_live.js (the poller) and
                   train_part.js (the charts and the log it feeds)
    svgchart.py    line charts drawn on the server as SVG (cheap for the browser to swap every 2 s)
    evalview.py    an evaluation and a comparison as the Evaluate tab shows them
    background.py  slow work (evaluation, merging) in a thread, its progress streamed to the page
    demo.py        demo mode in the page: visitors, limits, the checks before any file is read
    tab_*.py       one module per tab: ID, TITLE and build(shell, tab)
    ranking_*.py   the Ranking tab's handlers (annotate: prompts, answers, judgements; train: data and
                   recipes) and its keyboard shortcuts (ranking_keys.js)

Handlers stay thin: they collect widget values into a recipe and call the same core as the CLI.
"""
