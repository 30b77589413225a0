import VigilCLI

await VigilCommand.start()
