from ctxguard.cli import main

main()
