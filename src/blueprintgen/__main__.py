from blueprintgen.cli import main

main()
