/// The seed's clverify: checks that a loaded configuration makes sense as a cluster. Every
/// diagnostic points at the offending field (through the `SourceMap`), names it, and says how to
/// fix it. The loader has already checked the file's shape; these checks are about meaning.
public enum Verifier {
    /// Every problem found, errors and warnings, ordered by position in the file.
    public static func verify(_ loaded: LoadedConfig) -> [Diagnostic] {
        let context = VerifyContext(loaded)
        var found: [Diagnostic] = []
        found += checkClusterID(context)
        found += checkNameForms(context)
        found += checkDuplicateNames(context)
        found += checkDuplicateAddresses(context)
        found += checkNetmasks(context)
        found += checkInterfaces(context)
        found += checkAdapters(context)
        found += checkNodesHaveIPNetworks(context)
        found += checkSubnets(context)
        found += checkServiceAddressNetworks(context)
        found += checkGroupMembers(context)
        found += checkGroupResources(context)
        found += checkGroupPolicies(context)
        found += checkServiceAddressReach(context)
        found += checkResourceSharing(context)
        found += checkConcurrency(context)
        found += checkFilesystemVolumeGroups(context)
        found += checkSerialLinks(context)
        found += checkDaisyChain(context)
        found += checkNonIPPaths(context)
        found += checkHeartbeats(context)
        found += checkTimeouts(context)
        found += checkHooks(context)
        found += checkQuorum(context)
        found += checkDeadManSwitch(context)
        found += checkHardwareWatchdog(context)
        return Diagnostic.sortedByPosition(found)
    }
}
