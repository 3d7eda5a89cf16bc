from trainlens_runner.launch import main

main()
