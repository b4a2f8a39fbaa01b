#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/kubernetes/analytics-replica's claims, outside any container
(real processes, a real RTSP camera, the real definition and runner): what
the podman suite cannot make happen on cue.

 - two replicas, one camera: exactly one claims it, the other waits;
 - the claiming replica's own process killed (SIGKILL) while its pipeline
   runs: the pipeline holds the claim too, so the camera is not streamed
   twice; once the pipeline ends, the other replica claims it;
 - the camera's announcement removed (a camera leaving, as simulated-camera
   does on SIGTERM) while it still streams: the replica streaming it stops
   its pipeline, releases the claim and waits; announced again, it is
   claimed again;
 - SIGTERM: the replica stops its pipeline and exits 0, leaving no claim.
Ends "N passed, N failed"."""
import os
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks, Process, free_range  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
K8S = os.path.join(ROOT, "examples", "kubernetes")
SMART_CITY = os.path.join(ROOT, "examples", "smart-city")
check = Checks()
node = tempfile.mkdtemp(prefix="replica-claims-")
_, port_range = free_range(8)


def replica(pod):
    env = dict(os.environ, POD_NAME=pod, HOSTNETRTP_DIR=node, HOSTNETRTP_PORT_RANGE=port_range,
               STATUS_FILE=os.path.join(node, pod + ".status"),
               RUNNER=os.path.join(SMART_CITY, "run-pipeline.py"),
               PIPELINE=os.path.join(SMART_CITY, "analytics", "object", "Xeon", "gst", "pipeline", "1",
                                     "pipeline.json"))
    return Process(["/usr/bin/python3", os.path.join(K8S, "analytics-replica")], env=env)


def camera():
    env = dict(os.environ, HOSTNETRTP_DIR=node, RTSP_CAMERA=os.path.join(ROOT, "examples", "rtsp-camera.py"))
    cam = Process(["/usr/bin/python3", os.path.join(K8S, "simulated-camera"), "cam-a"], env=env)
    if not cam.wait_for(r"announced rtsp://", 20):
        raise RuntimeError("the camera did not start: " + "\n".join(cam.log))
    return cam


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def claims():
    return sorted(os.listdir(os.path.join(node, "claims")))


def main():
    cam = camera()
    r1 = replica("replica-1")
    first = r1.wait_for(r"claimed camera=cam-a", 20)
    check("a replica claims the announced camera", first is not None, "\n".join(r1.log[-5:]))
    r2 = replica("replica-2")
    check("a second replica finds it taken and waits", r2.wait_for(r"no free camera", 20) is not None,
          "\n".join(r2.log[-5:]))
    check("... its pipeline streams", r1.wait_for(r"frames|PLAYING|RUNNING", 20) is not None,
          "\n".join(r1.log[-5:]))

    pipeline = children(r1.proc.pid)
    os.kill(r1.proc.pid, signal.SIGKILL)
    r1.proc.wait()
    time.sleep(2)  # two of replica-2's rounds: it must not claim while the pipeline streams
    check("the replica killed alone: its pipeline still holds the claim, no one else streams the camera",
          len(pipeline) == 1 and r2.wait_for(r"claimed camera=cam-a", 0.1) is None, f"pipeline {pipeline}")
    for pid in pipeline:
        os.kill(pid, signal.SIGKILL)
    check("the pipeline gone too: the other replica claims the camera",
          r2.wait_for(r"claimed camera=cam-a", 10) is not None, "\n".join(r2.log[-5:]))

    check("... and streams it", r2.wait_for(r"^status state=RUNNING frames=[1-9]", 20) is not None,
          "\n".join(r2.log[-5:]))
    # The announcement goes while the camera still streams: only the
    # replica's watch can stop the pipeline.
    announced = os.path.join(node, "cameras", "cam-a.json")
    with open(announced) as f:
        text = f.read()
    os.unlink(announced)
    check("the camera no longer announced: its replica stops the pipeline and releases the claim",
          r2.wait_for(r"camera=cam-a is no longer announced", 10) is not None
          and r2.wait_for(r"released camera=cam-a", 20) is not None and claims() == [],
          "\n".join(r2.log[-5:]) + f"; claims {claims()}")
    with open(announced + ".tmp", "w") as f:
        f.write(text)
    os.replace(announced + ".tmp", announced)
    check("announced again: claimed again", r2.wait_for(r"claimed camera=cam-a", 10) is not None)

    r2.proc.send_signal(signal.SIGTERM)
    code = r2.proc.wait(timeout=20)
    check("SIGTERM: the replica exits 0 and leaves no claim", code == 0 and claims() == [],
          f"exit {code}, claims {claims()}")
    cam.proc.send_signal(signal.SIGTERM)
    cam.proc.wait()


try:
    main()
except Exception as e:  # noqa: BLE001
    check("the suite ran to its end", False, repr(e))
sys.exit(check.summary("replica claims"))
