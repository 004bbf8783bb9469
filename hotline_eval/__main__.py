from hotline_eval.cli import main

main()
