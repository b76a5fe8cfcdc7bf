"""
GUI forms in Chromium (tests/e2e/forms.mjs): required choices of a traffic
rule and its warning, words in selects, a port forward refused by the
router, the known clients on address fields, "Make static" from an active
lease, the changes dialog without internal ids. Then the router's staged
state is checked with difosctl.
"""

import json

from test_gui import (BROWSER_ADDR, PASSWORD, gui_lab, ready, run_scenario,  # noqa: F401
                      staged_changes)


def lan_client_mac(lab):
    from conftest import ns_exec
    cp = ns_exec(lab.lan, "ip", "-j", "link", "show", "dev", "eth0", check=True)
    return json.loads(cp.stdout)[0]["address"]


def test_rule_form_lease_static_and_forward_refusal(gui_lab, tmp_path):
    lab = gui_lab
    ready(lab)
    # an active lease for the LAN client, then its fixed address back
    lease = lab.client_dhcp_ok()
    lab.client_static(BROWSER_ADDR)
    mac = lan_client_mac(lab)
    try:
        run_scenario(lab, "forms.mjs", tmp_path, "--password", PASSWORD, "--mac", mac,
                     "--ip", lease["ip"])
        staged = {c["path"]: c for c in staged_changes(lab)}
        rule = [c["new"] for p, c in staged.items() if p.startswith("firewall.rules[")]
        assert len(rule) == 1, staged
        assert (rule[0]["src_zone"], rule[0]["dest_zone"], rule[0]["action"]) == ("wan", "lan", "accept")
        leases = [c["new"] for p, c in staged.items() if p.startswith("dhcp.static_leases[")]
        assert len(leases) == 1 and leases[0]["mac"] == mac and leases[0]["ip"] == lease["ip"], staged
        assert not any(p.startswith("firewall.port_forwards") for p in staged), staged
    finally:
        lab.daemon.ctl("discard")
