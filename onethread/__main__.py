from onethread.cli import main

main()
