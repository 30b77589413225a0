import Testing
import VigilConvert
import VigilModel

@Suite("vigil convert --from pacemaker")
struct PacemakerTests {
    /// Two nodes; web = LVM-activate + Filesystem + IPaddr2 + systemd:nginx, preferring node1, sticky;
    /// db (a primitive colocated with its address), fencing by IPMI; and what has no Vigil meaning.
    static let cib = """
        <?xml version="1.0"?>
        <!-- written from Pacemaker Explained's examples -->
        <cib crm_feature_set="3.19.0" validate-with="pacemaker-3.9" epoch="12" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config>
              <cluster_property_set id="cib-bootstrap-options">
                <nvpair id="o1" name="cluster-name" value="shop"/>
                <nvpair id="o2" name="stonith-enabled" value="true"/>
                <nvpair id="o3" name="dc-version" value="2.1.6"/>
                <nvpair id="o4" name="placement-strategy" value="utilization"/>
              </cluster_property_set>
            </crm_config>
            <nodes>
              <node id="1" uname="node1"/>
              <node id="2" uname="node2"/>
            </nodes>
            <resources>
              <primitive id="fence-node1" class="stonith" type="fence_ipmilan">
                <instance_attributes id="f1">
                  <nvpair id="f1a" name="ip" value="10.0.0.101"/>
                  <nvpair id="f1b" name="username" value="admin"/>
                  <nvpair id="f1c" name="password" value="it's"/>
                  <nvpair id="f1d" name="lanplus" value="1"/>
                  <nvpair id="f1e" name="pcmk_host_list" value="node1"/>
                </instance_attributes>
              </primitive>
              <group id="web">
                <meta_attributes id="web-meta">
                  <nvpair id="wm1" name="resource-stickiness" value="200"/>
                </meta_attributes>
                <primitive id="web-vg" class="ocf" provider="heartbeat" type="LVM-activate">
                  <instance_attributes id="v1">
                    <nvpair id="v1a" name="vgname" value="webvg"/>
                    <nvpair id="v1b" name="vg_access_mode" value="system_id"/>
                  </instance_attributes>
                </primitive>
                <primitive id="web-fs" class="ocf" provider="heartbeat" type="Filesystem">
                  <instance_attributes id="fs1">
                    <nvpair id="fs1a" name="device" value="/dev/webvg/web"/>
                    <nvpair id="fs1b" name="directory" value="/srv/web"/>
                    <nvpair id="fs1c" name="fstype" value="xfs"/>
                  </instance_attributes>
                </primitive>
                <primitive id="web-ip" class="ocf" provider="heartbeat" type="IPaddr2">
                  <instance_attributes id="ip1">
                    <nvpair id="ip1a" name="ip" value="192.0.2.21"/>
                    <nvpair id="ip1b" name="cidr_netmask" value="24"/>
                    <nvpair id="ip1c" name="nic" value="eth0"/>
                  </instance_attributes>
                </primitive>
                <primitive id="nginx" class="systemd" type="nginx">
                  <meta_attributes id="n-meta">
                    <nvpair id="nm1" name="migration-threshold" value="3"/>
                  </meta_attributes>
                  <operations>
                    <op id="n-mon" name="monitor" interval="15s" timeout="20s"/>
                    <op id="n-start" name="start" interval="0s" timeout="100"/>
                  </operations>
                </primitive>
              </group>
              <primitive id="db-ip" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="ip2">
                  <nvpair id="ip2a" name="ip" value="192.0.2.22"/>
                </instance_attributes>
              </primitive>
              <primitive id="db" class="lsb" type="postgresql"/>
              <primitive id="mon" class="nagios" type="check_http"/>
              <clone id="ms-drbd">
                <meta_attributes id="ms-meta"><nvpair id="p1" name="promotable" value="true"/></meta_attributes>
                <primitive id="drbd" class="ocf" provider="linbit" type="drbd"/>
              </clone>
            </resources>
            <constraints>
              <rsc_location id="web-prefers-node1" rsc="web" node="node1" score="100"/>
              <rsc_location id="db-prefers-node2" rsc="db" node="node2" score="50"/>
              <rsc_colocation id="ip-with-db" rsc="db-ip" with-rsc="db" score="INFINITY"/>
              <rsc_order id="web-then-db" first="web" then="db"/>
              <rsc_location id="ruled" rsc="web">
                <rule id="r1" score="-INFINITY"><expression id="e1" attribute="pingd" operation="lt" value="1"/></rule>
              </rsc_location>
            </constraints>
            <rsc_defaults>
              <meta_attributes id="defaults"><nvpair id="d1" name="resource-stickiness" value="0"/></meta_attributes>
            </rsc_defaults>
          </configuration>
          <status/>
        </cib>

        """

    static let options = ConversionOptions(
        clusterID: 5, addresses: [("node1", IPv4Address(0xC000_020B)), ("node2", IPv4Address(0xC000_020C))],
        diskHeartbeat: "/dev/disk/by-id/hb")

    static func convert(_ options: ConversionOptions = options) throws -> ConversionResult {
        try PacemakerMapping.convert(ConversionInput(file: "cib.xml", text: cib), options: options)
    }

    @Test("a two-node CIB converts and verifies: groups, storage, addresses, applications, fencing")
    func converts() throws {
        let result = try Self.convert()
        let config = result.config
        #expect(config.name == "shop" && config.id == 5)
        #expect(config.nodes.map(\.name) == ["node1", "node2"])
        #expect(config.nodes[0].fenceCommand
            == "fence_ipmilan --ip='10.0.0.101' --lanplus --password='it'\\''s' --username='admin' --action=off")
        #expect(config.nodes[1].fenceCommand == nil)
        #expect(config.resourceGroups.map(\.name) == ["web", "db"])
        let web = try #require(config.group(named: "web"))
        #expect(web.policy == .rotating && web.nodes == ["node1", "node2"])
        #expect(web.volumeGroups == ["webvg"] && web.filesystems == ["/srv/web"])
        #expect(web.serviceAddresses == ["web-ip"] && web.applications == ["nginx"])
        #expect(config.filesystem(at: "/srv/web") == Filesystem(
            mountPoint: "/srv/web", device: "/dev/webvg/web", volumeGroup: "webvg", type: "xfs"))
        let nginx = try #require(config.application(named: "nginx"))
        #expect(nginx.start == "systemctl start 'nginx'" && nginx.monitor == "systemctl is-active --quiet 'nginx'")
        #expect(nginx.restartCount == 2 && nginx.monitorInterval == .seconds(15))
        #expect(nginx.monitorTimeout == .seconds(20) && nginx.startTimeout == .seconds(100))
        let db = try #require(config.group(named: "db"))
        #expect(db.policy == .cascading && db.nodes == ["node2", "node1"])
        #expect(db.serviceAddresses == ["db-ip"] && db.applications == ["db"])
        #expect(config.application(named: "db")?.stop == "'/etc/init.d/postgresql' stop")
        #expect(config.quorum == .disk && config.tiebreaker == "dhb")
        #expect(errors(verified(result)) == [])
        #expect(!result.needsAdditions)
    }

    @Test("what has no Vigil meaning is reported with its line")
    func reported() throws {
        let result = try Self.convert()
        let notes = result.notes.filter { $0.kind == .notConverted }
        func noted(_ needle: String, _ text: String) -> Bool {
            notes.contains { $0.line == line(of: needle, in: Self.cib) && $0.message.contains(text) }
        }
        #expect(noted("type=\"check_http\"", "mon (nagios:check_http) is not converted"))
        #expect(noted("<clone id=\"ms-drbd\">", "clone ms-drbd is not converted: it sets promotable"))
        #expect(noted("id=\"ruled\"", "rsc_location ruled is not converted"))
        #expect(noted("id=\"web-then-db\"", "rsc_order web-then-db is not converted"))
        #expect(noted("placement-strategy", "property placement-strategy is not converted"))
        #expect(!notes.contains { $0.message.contains("dc-version") })
    }

    @Test("without the nodes' addresses the notes and verify say what to add")
    func missingAddresses() throws {
        let result = try Self.convert(ConversionOptions())
        #expect(result.notes.contains { $0.kind == .mustAdd && $0.message.contains("--address node1=") })
        #expect(result.notes.contains { $0.kind == .mustAdd && $0.message.contains("disk heartbeat") })
        #expect(!errors(verified(result)).isEmpty)
    }

    @Test("not a CIB, or malformed XML: an error naming the line", arguments: [
        ("<cluster/>", 1, "not <cib>"),
        ("<cib>\n<configuration>\n</cib>", 3, "does not close <configuration>"),
        ("<?xml version=\"1.0\"?>\n<!DOCTYPE cib [<!ENTITY x \"y\">]>\n<cib/>", 2, "DTD"),
        ("<cib>\n<configuration a=\"&bogus;\"/></cib>", 2, "unknown entity"),
    ])
    func unreadable(text: String, line: Int, message: String) {
        #expect {
            try PacemakerMapping.convert(ConversionInput(file: "cib.xml", text: text))
        } throws: { error in
            guard let error = error as? ConversionError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }
}
