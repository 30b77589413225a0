import VigilRoot

await VigilCommand.start()
