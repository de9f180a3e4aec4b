from ceyuan.cli import main

main()
