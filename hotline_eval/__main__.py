"""The entry point of `python -m hotline_eval` and of the `hotline-eval` command (pyproject.toml).

It handles Ctrl-C before anything heavy is imported (core/interrupts.py): an interruption while the
command line and its libraries are still loading ends like any other, with exit code 130 and one line.
"""

from hotline_eval.core import interrupts

interrupts.install()
try:
    from hotline_eval.cli import main
except KeyboardInterrupt:
    interrupts.leave()


def run() -> None:
    """The command, with every way out through `cli.main`'s exit codes; a late Ctrl-C still ends with 130."""
    try:
        main()
    except KeyboardInterrupt:
        interrupts.leave()
    except SystemExit as stop:
        interrupts.closing()
        if interrupts.requested() and stop.code != interrupts.EXIT_CODE:  # 130: `leave` has said it
            interrupts.leave()
        raise
    interrupts.closing()


if __name__ == "__main__":
    run()
