#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A camera stand-in for the namespace tests: sends RTP (and one RTCP SR)
from its own sockets, then listens for the receiver's reports on its RTCP
socket. Unicast or multicast (IPv4 or IPv6); for a group it also joins the
group on its RTCP port, where multicast receivers send their reports.

  rtp-peer.py --to HOST --port P [--count N] [--ssrc X] [--iface IF] [--bind ADDR]

Prints: "sent N", then "rr from HOST:PORT" for every receiver report (up to
--reports), or "no rr" after --wait seconds without one."""
import argparse
import ipaddress
import select
import socket
import struct
import time

args = argparse.ArgumentParser()
args.add_argument("--to", required=True)
args.add_argument("--port", type=int, required=True)
args.add_argument("--count", type=int, default=50)
args.add_argument("--ssrc", type=lambda v: int(v, 0), default=0xCA000001)
args.add_argument("--iface", default="")
args.add_argument("--bind", default="")
args.add_argument("--reports", type=int, default=1)
args.add_argument("--wait", type=float, default=8.0)
a = args.parse_args()

group = ipaddress.ip_address(a.to)
family = socket.AF_INET6 if group.version == 6 else socket.AF_INET
ifindex = socket.if_nametoindex(a.iface) if a.iface else 0


def open_socket(port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.bind or ("::" if family == socket.AF_INET6 else "0.0.0.0"), port))
    if group.is_multicast:
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        else:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    return s


rtp = open_socket(0)
if group.is_multicast:  # the receivers report to the group's RTCP port
    rtcp = open_socket(a.port + 1)
    if family == socket.AF_INET6:
        rtcp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                        group.packed + struct.pack("@I", ifindex))
    else:
        rtcp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                        group.packed + socket.inet_aton("0.0.0.0"))
else:
    rtcp = open_socket(0)

for seq in range(a.count):
    header = struct.pack("!BBHII", 0x80, 96, seq, seq * 3000, a.ssrc)
    rtp.sendto(header + bytes(200), (a.to, a.port))
    time.sleep(0.01)
sender_report = struct.pack("!BBHIIIIII", 0x80, 200, 6, a.ssrc, 0, 0, 0, a.count, a.count * 200)
rtcp.sendto(sender_report, (a.to, a.port + 1))
print(f"sent {a.count}", flush=True)

reports, end = 0, time.monotonic() + a.wait
while reports < a.reports and time.monotonic() < end:
    if not select.select([rtcp], [], [], max(0.0, end - time.monotonic()))[0]:
        break
    data, sender = rtcp.recvfrom(2048)
    if len(data) >= 8 and data[1] == 201:
        reports += 1
        host = f"[{sender[0]}]" if family == socket.AF_INET6 else sender[0]
        print(f"rr from {host}:{sender[1]}", flush=True)
    elif len(data) >= 8 and data[1] == 200 and group.is_multicast:
        continue  # our own SR looped back by a receiver's group
if reports == 0:
    print("no rr", flush=True)
