from reviewflow.cli.main import main

main()
