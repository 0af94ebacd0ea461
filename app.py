"""The web studio:  python app.py [--host 127.0.0.1] [--port 7860] [--share] [--auth user:password] [--demo]

The same as `python -m studio serve ...` (one parser, in studio/cli.py). Also the entry point a
Hugging Face Space runs.
"""
import sys

from studio.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
