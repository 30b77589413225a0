import ArgumentParser

/// The operator's commands: those that act on the local `vigild` (start, stop, status, rg, log, sync,
/// config, acknowledge), `verify`, `convert`, `plan`, `watchdog`, and a new cluster's setup (`init`,
/// `keygen`). The root command (`VigilCommand`, in VigilRoot) shows them as one group of `vigil
/// --help`, apart from the lab's (VigilLab).
public enum OperatorCommands {
    public static let all: [any ParsableCommand.Type] = [
        StartCommand.self, StopCommand.self, StatusCommand.self, RGCommand.self, LogCommand.self,
        SyncCommand.self, ConfigCommand.self, SnapshotCommand.self, AcknowledgeCommand.self, VerifyCommand.self,
        ConvertCommand.self, EmulateCommand.self, PlanCommand.self, ExplainCommand.self, InitCommand.self,
        KeygenCommand.self, WatchdogCommand.self,
    ]
}
