#!/usr/bin/python3
"""The WireGuard server: applying 1,000 peers from scratch, and one peer
added with 1,000 configured, side by side with `wg setconf` of the same
file.

Runs as root in the integration lab's namespaces (tests/integration/
conftest.py); difosd in the router with the real backend and --debug, its
wg0 served by wireguard-go (this kernel has no WireGuard; where it has one
the kernel's device is used). The peers' keys are random 32-byte public
keys (a peer that made its own keys): nothing hands them a configuration.

 1. From scratch: the server enabled with PEERS peers, staged in one
    `config.set` and applied (`difosctl apply`, timed inside the
    namespace), and difosd's own step of the feature ("apply: timings").
    Anchor: `wg setconf` of the file difosd rendered (active/wg_server/
    wg0.conf) onto a fresh wireguard-go device of the bench's (own socket
    folder, same namespace).
 2. One more peer, RUNS times: `difosctl add` + `difosctl apply`, and the
    step. Anchors on the bench's device holding the same PEERS peers: `wg
    setconf` of the whole rendered file with the new peer (what a script
    that rewrites the file does), and `wg set <dev> peer <key> allowed-ips
    ...` (the one change by hand).

Reported, not asserted.
    RUNS=5 PEERS=1000 DIFOS_BUILD=$PWD/build-bench /usr/bin/python3 bench/wg_bench.py
"""
import base64, json, os, secrets, statistics, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("DIFOS_BUILD", os.path.join(HERE, "..", "build")))
os.environ["DIFOS_BUILD"] = BUILD
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import conftest  # noqa: E402
import firewall_bench as fb  # noqa: E402  (nsx, timed, steps)

RUNS = int(os.environ.get("RUNS", "5"))
N = int(os.environ.get("PEERS", "1000"))
DIFOSCTL = os.path.join(BUILD, "difosctl")
EXEC = os.path.join(BUILD, "difos-engine-exec")
DEV = "wgbench"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def ms(v):
    return "%.1f ms" % (v * 1000)


def key():
    return base64.b64encode(secrets.token_bytes(32)).decode()


def peer(i):
    # 10.88.0.0/16: 1,000 peers and more
    return {"id": i + 1, "name": "p%d" % i, "public_key": key(),
            "address": "10.88.%d.%d" % ((i + 2) // 256, (i + 2) % 256)}


class Bench:
    def __init__(self, lab):
        self.lab = lab
        self.d = lab.daemons[0]
        self.ns = lab.router
        self.sockdir = lab.tmp / "wg-bench"
        self.sockdir.mkdir()

    def ctl(self, *args):
        return [DIFOSCTL, "--root", str(self.d.root), *args]

    def wg(self, *args):
        return [EXEC, "--root", "/", "--bind-to", "%s=/var/run/wireguard" % self.sockdir,
                "--", "wg", *args]

    def stage_server(self, peers):
        body = {"changes": [{"path": "wg_server.address", "value": "10.88.0.1/16"},
                            {"path": "wg_server.listen_port", "value": 51820},
                            {"path": "wg_server.peers", "value": peers},
                            {"path": "wg_server.enabled", "value": True}]}
        fb.nsx(self.ns, *self.ctl("call", "config.set", "-"), input=json.dumps(body))

    def rendered(self):
        return os.path.join(str(self.d.root), "run/difos/active/wg_server/wg0.conf")

    def step(self):
        """difosd's own time for the last apply's steps of wg_server (ms)."""
        s = fb.steps(open(self.d.log, errors="replace").read())
        return {k: round(v * 1000, 1) for k, v in s.items() if k.endswith(".wg_server")}

    def anchor_text(self):
        """The rendered file, on another port: the bench's device shares the
        router's namespace and wg0 holds the configured one."""
        return open(self.rendered()).read().replace("ListenPort = 51820", "ListenPort = 51999")

    def anchor_device(self):
        self.lab.spawn("wg-bench", self.ns, [EXEC, "--root", "/", "--bind-to",
                                             "%s=/var/run/wireguard" % self.sockdir, "--",
                                             "wireguard-go", "-f", DEV])
        conftest.wait_for(lambda: (self.sockdir / (DEV + ".sock")).exists(), 10,
                          what="the bench's wireguard-go")


def main():
    with conftest.make_lab(daemon_args=("--debug",)) as lab:
        lab.wait_router_wan()
        b = Bench(lab)
        peers = [peer(i) for i in range(N)]
        b.stage_server(peers)
        t_scratch = fb.timed(b.ns, b.ctl("apply"))[0]
        step_scratch = b.step()
        b.anchor_device()
        conf = lab.tmp / "scratch.conf"
        conf.write_text(b.anchor_text())
        conf.chmod(0o600)
        t_setconf = fb.timed(b.ns, b.wg("setconf", DEV, str(conf)))[0]
        log("from scratch, %d peers: difos apply %s (its wg_server step %s), wg setconf %s: "
            "%.2fx" % (N, ms(t_scratch), step_scratch, ms(t_setconf), t_scratch / t_setconf))

        adds, steps, setconfs, sets = [], [], [], []
        for r in range(RUNS):
            p = peer(N + r)
            add_t, apply_t = fb.timed(b.ns, b.ctl("add", "wg_server.peers", "name=" + p["name"],
                                                  "public_key=" + p["public_key"],
                                                  "address=" + p["address"]),
                                      b.ctl("apply"))
            adds.append(apply_t)
            steps.append(b.step())
            conf.write_text(b.anchor_text())
            setconfs.append(fb.timed(b.ns, b.wg("setconf", DEV, str(conf)))[0])
            q = peer(N + 100 + r)
            sets.append(fb.timed(b.ns, b.wg("set", DEV, "peer", q["public_key"], "allowed-ips",
                                            q["address"] + "/32"))[0])
        med = statistics.median
        log("one peer added with %d configured (median of %d): difos apply %s (steps %s), "
            "wg setconf of the whole file %s (%.2fx), wg set of the one peer %s (%.2fx)" % (
                N, RUNS, ms(med(adds)), steps, ms(med(setconfs)), med(adds) / med(setconfs),
                ms(med(sets)), med(adds) / med(sets)))
        print(json.dumps({"peers": N, "scratch_apply": t_scratch, "scratch_setconf": t_setconf,
                          "add_apply": med(adds), "add_setconf": med(setconfs),
                          "add_wg_set": med(sets)}))


if __name__ == "__main__":
    main()
