#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The shipped Kubernetes manifests, run for real with podman kube play on
this machine as one node: examples/kubernetes/cameras.yaml (4 simulated
RTSP cameras) and analytics.yaml (4 replicas of the Smart City definition
with hostNetwork: true), built into a local image (build-image: mmdebstrap,
the plugin's Debian package from scripts/package, podman build; no
registry). Asserted from outside the pods:

 - every replica bound its own even/odd pair inside 32546-32599 on the
   host network (ss: the sockets and the processes holding them), none on
   loopback, and the readiness probe of the manifest passes in each;
 - each replica claimed a different camera (claims/ held by flock) and
   decoded frames of that camera only (its SSRC, no other);
 - a replica killed (SIGKILL) releases its camera; the container podman
   restarts claims it again and decodes;
 - the pods stopped and podman kube down leave nothing: no pod, container,
   claim, camera announcement, SDP file or bound port.
Negative control: contrast/analytics-rtpsrc.yaml, the same replicas with
rtpsrc port=5004 and cameras pushing to it: every replica starts, all four
hold 5004 at once, and the cameras' streams are spread over them by the
kernel (shown, with the SSRCs each replica got).

What podman 4.3 lacks (status.hostIP/podIP, the grace period on kube
down) is filled in by examples/kubernetes/podman-kube, which plays the
manifests as they are; readiness probes are not run by podman, so the test
runs the manifest's probe command in each container. Where podman cannot
run, the suite fails and says why."""
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
K8S = os.path.join(ROOT, "examples", "kubernetes")
PODMAN_KUBE = os.path.join(K8S, "podman-kube")  # the manifests as-is, podman's gaps filled
NODE_DIR = "/run/hostnetrtp"  # the manifests' hostPath
RANGE = (32546, 32599)
check = Checks()
work = tempfile.mkdtemp(prefix="kubernetes-")
env = dict(os.environ)
started = time.monotonic()


def say(line):
    print(f"# [{time.monotonic() - started:6.1f} s] {line}", flush=True)


def run(*argv, timeout=300, check_rc=True):
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.strip()[-800:]}")
    return p.stdout


def podman(*args, **kw):
    return run("podman", *args, **kw)


def containers_conf():
    """podman's settings for this machine (podman-kube's: runc, cgroupfs,
    file events, ulimits below the sandbox's), unless CONTAINERS_CONF is set."""
    env["CONTAINERS_CONF"] = run(PODMAN_KUBE, "conf").strip()


def pods(prefix):
    out = podman("pod", "ps", "--format", "{{.Name}}", check_rc=False)
    return sorted(n for n in out.split() if n.startswith(prefix + "-pod-"))


def containers(prefix):
    out = podman("ps", "-a", "--format", "{{.Names}}", check_rc=False)
    return sorted(n for n in out.split() if n.startswith(prefix + "-pod-") and not n.endswith("-infra"))


def play(manifest):
    run(PODMAN_KUBE, "play", manifest)


def down(manifest):
    run(PODMAN_KUBE, "down", manifest)


def readiness_command(manifest):
    text = open(manifest).read()
    match = re.search(r"readinessProbe:.*?command:\s*\[([^\]]*)\]", text, re.S)
    return [w.strip().strip('"') for w in match.group(1).split(",")]


def status_of(container):
    try:
        return json.loads(podman("exec", container, "cat", "/tmp/status.json", timeout=20))
    except (RuntimeError, ValueError, subprocess.TimeoutExpired):
        return {}


def claims():
    """camera -> (holder pod, since, held now) from the node's claims/."""
    found = {}
    folder = os.path.join(NODE_DIR, "claims")
    for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        path = os.path.join(folder, entry)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            held = False
            fcntl.flock(fd, fcntl.LOCK_UN)
        except BlockingIOError:
            held = True
        holder = json.loads(os.read(fd, 4096) or b"{}")
        os.close(fd)
        found[entry[:-len(".claim")]] = (holder.get("pod"), holder.get("since"), held)
    return found


def cameras():
    folder = os.path.join(NODE_DIR, "cameras")
    result = {}
    for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if entry.endswith(".json"):
            with open(os.path.join(folder, entry)) as f:
                result[entry[:-5]] = json.load(f)
    return result


def udp_sockets(low, high):
    """(address, port, host pid) of every UDP socket bound in [low, high]."""
    found = []
    for line in run("ss", "-Hnulp").splitlines():
        fields = line.split()
        address, _, port = fields[3].rpartition(":")
        pid = re.search(r"pid=(\d+)", line)
        if low <= int(port) <= high:
            found.append((address.strip("[]"), int(port), int(pid.group(1)) if pid else 0))
    return found


def host_pids(container):
    out = podman("top", container, "hpid", check_rc=False)
    return {int(p) for p in out.split()[1:] if p.isdigit()}


def wait_until(what, condition, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.5)  # podman has no event for "decoding"; poll
    say(f"gave up waiting for {what} after {timeout} s")
    return None


def ready(container, probe):
    p = subprocess.run(["podman", "exec", container, *probe], env=env, capture_output=True, text=True)
    return p.returncode == 0


def main_run():
    cameras_yaml = os.path.join(K8S, "cameras.yaml")
    analytics_yaml = os.path.join(K8S, "analytics.yaml")
    probe = readiness_command(analytics_yaml)
    replicas = int(re.search(r"replicas:\s*(\d+)", open(analytics_yaml).read()).group(1))
    for manifest in (analytics_yaml, cameras_yaml):
        down(manifest)
    shutil.rmtree(os.path.join(NODE_DIR, "cameras"), ignore_errors=True)
    shutil.rmtree(os.path.join(NODE_DIR, "claims"), ignore_errors=True)

    play(cameras_yaml)
    announced = wait_until("4 camera announcements", lambda: len(cameras()) >= 4 and cameras(), 60)
    check("4 simulated cameras announced themselves", announced is not None and len(announced) == 4,
          f"{announced}")
    say("cameras: " + ", ".join(f"{n} {c['url']} ssrc={c['ssrc']}" for n, c in (announced or {}).items()))
    t0 = time.monotonic()
    play(analytics_yaml)
    names = [f"analytics-pod-{i}-analytics" for i in range(replicas)]
    all_ready = wait_until("every replica ready", lambda: all(ready(n, probe) for n in names), 90)
    check(f"the {replicas} replicas pass the manifest's readiness probe", all_ready is not None)
    say(f"all replicas ready {time.monotonic() - t0:.1f} s after kube play")

    statuses = {n: status_of(n) for n in names}
    sockets = udp_sockets(*RANGE)
    held = claims()
    pairs = []
    for n in names:
        s = statuses[n]
        pids = host_pids(n)
        mine = sorted((a, p) for a, p, pid in sockets if pid in pids)
        pair = (s.get("rtp_port"), s.get("rtcp_port"))
        pairs.append(pair)
        pod = n[:-len("-analytics")]
        camera = next((c for c, (holder, _, h) in held.items() if holder == pod and h), None)
        ssrc = announced.get(camera, {}).get("ssrc") if camera and announced else None
        say(f"{pod}: ports {pair[0]}/{pair[1]} (ss: {', '.join(f'{a}:{p}' for a, p in mine)}), "
            f"camera {camera} ({ssrc}), frames {s.get('frames')}, fps {s.get('fps')}, SSRCs seen {s.get('ssrcs')}")
        check(f"{pod}: holds one even/odd pair in {RANGE[0]}-{RANGE[1]} on the host network, not loopback",
              pair[0] is not None and pair[0] % 2 == 0 and pair[1] == pair[0] + 1 and
              mine == [("0.0.0.0", pair[0]), ("0.0.0.0", pair[1])], f"ss: {mine}, status: {pair}")
        check(f"{pod}: claimed a camera and decodes it ({s.get('frames')} frames)",
              camera is not None and s.get("frames", 0) > 0)
        check(f"{pod}: saw its camera's SSRC only", ssrc is not None and s.get("ssrcs") == ssrc
              and s.get("ssrc") == ssrc, f"saw {s.get('ssrcs')}, camera {ssrc}")
    check("the replicas hold distinct pairs", len(set(pairs)) == replicas, f"{pairs}")
    holders = [holder for holder, _, h in held.values() if h]
    check("each replica claimed a different camera", sorted(holders) ==
          sorted(n[:-len("-analytics")] for n in names), f"{held}")

    # A replica killed: its camera released, the restarted container claims and decodes it.
    victim = names[1]
    pod = victim[:-len("-analytics")]
    camera = next(c for c, (holder, _, h) in held.items() if holder == pod)
    since = held[camera][1]
    pid = int(podman("inspect", victim, "--format", "{{.State.Pid}}").strip())
    os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    reclaimed = wait_until("the camera claimed again",
                           lambda: claims().get(camera, (None, since, False))[1] != since and
                           claims()[camera][2], 30)
    check(f"{pod} killed: {camera} released and claimed again by the restarted container",
          reclaimed is not None and claims()[camera][0] == pod, f"{claims().get(camera)}")
    back = wait_until("the restarted replica ready", lambda: ready(victim, probe), 60)
    s = status_of(victim)
    check(f"{pod} restarted: ready and decoding its camera again ({s.get('frames')} frames)",
          back is not None and s.get("ssrcs") == announced[camera]["ssrc"], f"{s}")
    say(f"{pod} killed and back decoding in {time.monotonic() - t0:.1f} s, "
        f"on {s.get('rtp_port')}/{s.get('rtcp_port')}")

    for manifest in (analytics_yaml, cameras_yaml):
        down(manifest)
    check("kube down: no pod and no container left", not pods("analytics") and not pods("cameras")
          and not containers("analytics") and not containers("cameras"))
    check("kube down: no claim left", not os.listdir(os.path.join(NODE_DIR, "claims")),
          f"{os.listdir(os.path.join(NODE_DIR, 'claims'))}")
    check("kube down: no camera announcement left", not cameras(), f"{cameras()}")
    sdps = [os.path.join(d, f) for d, _, fs in os.walk(NODE_DIR) for f in fs if f.endswith(".sdp")]
    check("kube down: no SDP file left", not sdps, f"{sdps}")
    check("kube down: no port bound in the range", not udp_sockets(*RANGE), f"{udp_sockets(*RANGE)}")


def negative_control():
    manifest = os.path.join(K8S, "contrast", "analytics-rtpsrc.yaml")
    down(manifest)
    play(manifest)
    names = [f"analytics-rtpsrc-pod-{i}-analytics" for i in range(4)]
    running = wait_until("the rtpsrc replicas running and receiving",
                         lambda: all(status_of(n).get("state") == "RUNNING" for n in names) and
                         sum(bool(status_of(n).get("ssrcs")) for n in names) >= 1, 60)
    def bound_by_four():
        """The sockets on 5004 if four processes hold one each, else None."""
        found = udp_sockets(5004, 5004)
        return found if len({s[2] for s in found}) >= 4 else None

    # Every replica's socket on 5004 in one look: a container may still be
    # starting its pipeline, and a replica fed several cameras' streams has
    # been seen to hold no socket 3 s after all four did. The proof is that
    # one look, not a later one.
    bound_at_once = wait_until("the four rtpsrc replicas bound to 5004", bound_by_four, 30)
    time.sleep(3)  # a moment for every camera's flow to reach some replica
    on_5004 = [s for s in udp_sockets(5004, 5005)]
    seen = {n: status_of(n).get("ssrcs", "") for n in names}
    say("rtpsrc port=5004: " + "; ".join(f"{n[:-len('-analytics')]} sees [{v or 'nothing'}]"
                                         for n, v in seen.items()))
    cameras_seen = [v for v in seen.values() if v]
    say(f"{len([s for s in on_5004 if s[1] == 5004])} sockets bound to 5004 at once; "
        f"{sum(1 for v in seen.values() if not v)} replica(s) see no camera, "
        f"{sum(1 for v in cameras_seen if ',' in v)} see several mixed")
    check("negative control: every rtpsrc replica started without an error (the failure is silent)",
          running is not None)
    check("negative control: the four replicas all hold port 5004 at once (SO_REUSEADDR/SO_REUSEPORT)",
          bound_at_once is not None and len(bound_at_once) == 4, f"{bound_at_once}, later {on_5004}")
    down(manifest)
    check("negative control torn down", not pods("analytics-rtpsrc") and not pods("push-cameras"))


def main():
    if shutil.which("podman") is None:
        check("podman is installed (scripts/install-deps installs it)", False, "podman not found")
        return check.summary("kubernetes")
    if os.geteuid() != 0:
        check("runs as root (rootful podman with hostNetwork)", False, f"uid {os.geteuid()}")
        return check.summary("kubernetes")
    containers_conf()
    try:
        podman("info", "--format", "{{.Host.OCIRuntime.Name}}")
    except RuntimeError as e:
        check("podman can run here", False, str(e))
        return check.summary("kubernetes")
    t0 = time.monotonic()
    tag = run(os.path.join(K8S, "build-image"), timeout=1200).strip().splitlines()[-1]
    say(f"image {tag} built in {time.monotonic() - t0:.1f} s")
    try:
        main_run()
        negative_control()
    except (RuntimeError, subprocess.TimeoutExpired, KeyError, TypeError) as e:
        check("the suite ran to its end", False, repr(e))
    finally:
        for manifest in ("analytics.yaml", "cameras.yaml", "contrast/analytics-rtpsrc.yaml"):
            down(os.path.join(K8S, manifest))
        shutil.rmtree(work, ignore_errors=True)
    say(f"suite took {time.monotonic() - started:.1f} s")
    return check.summary("kubernetes")


if __name__ == "__main__":
    sys.exit(main())
