/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the security room's suite: packet inspection, senders and
 * allowed-senders, the one-sender gate and where receiver reports go, the
 * sequence tracker and the silence watch. Pure logic: no pipeline. */
#include <gst/check/gstcheck.h>
#include <gst/rtp/gstrtpbuffer.h>

#include "packet.h"
#include "peer.h"
#include "stream-gate.h"
#include "stream-watch.h"

#include <vector>

using namespace hostnetrtp;

using Bytes = std::vector<guint8>;

static Bytes
rtp (guint32 ssrc, guint16 seq, guint payload = 100, guint32 ts = 0)
{
  GstBuffer *buf = gst_rtp_buffer_new_allocate (payload, 0, 0);
  GstRTPBuffer r = GST_RTP_BUFFER_INIT;
  gst_rtp_buffer_map (buf, GST_MAP_WRITE, &r);
  gst_rtp_buffer_set_ssrc (&r, ssrc);
  gst_rtp_buffer_set_seq (&r, seq);
  gst_rtp_buffer_set_payload_type (&r, 96);
  gst_rtp_buffer_set_timestamp (&r, ts);
  gst_rtp_buffer_unmap (&r);
  Bytes out (gst_buffer_get_size (buf));
  gst_buffer_extract (buf, 0, out.data (), out.size ());
  gst_buffer_unref (buf);
  return out;
}

static void
append32 (Bytes &b, guint32 v)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    b.push_back (guint8 (v >> shift));
}

/* One SDES chunk: SSRC, CNAME "cam", the null item, padding to 32 bits. */
static void
append_chunk (Bytes &b, guint32 ssrc)
{
  append32 (b, ssrc);
  for (guint8 c : {1, 3, int ('c'), int ('a'), int ('m'), 0, 0, 0})
    b.push_back (c);
}

/* SR of @ssrc, SDES with its CNAME (and a chunk of @other, if given), and
 * optionally a BYE: a camera's compound, written byte by byte. */
static Bytes
rtcp (guint32 ssrc, bool bye = false, guint32 other = 0)
{
  Bytes b;
  append32 (b, 0x80c80006);  /* SR, no report blocks: 7 words */
  append32 (b, ssrc);
  for (int i = 0; i < 5; i++)
    append32 (b, i);
  const unsigned chunks = other ? 2 : 1;
  append32 (b, 0x80ca0000 | (chunks << 24) | (3 * chunks));
  append_chunk (b, ssrc);
  if (other)
    append_chunk (b, other);
  if (bye) {
    append32 (b, 0x81cb0001);
    append32 (b, ssrc);
  }
  return b;
}

static Peer
peer (const char *host, guint16 port)
{
  Peer p = Peer::from_string (host, port);
  fail_unless (p.valid, "%s", host);
  return p;
}

static std::string
destination (StreamGate &gate, std::string *why = nullptr)
{
  GObjectPtr<GSocketAddress> to = gate.report_destination (why);
  return to ? Peer::from_socket_address (to.get ()).to_string () : "";
}

/* A gate that takes datagrams from @senders only (allowed-senders). */
static GateConfig
only_from (const char *senders)
{
  GateConfig config;
  SenderFilter filter;
  std::string error;
  fail_unless (SenderFilter::parse (senders, filter, error), "%s", error.c_str ());
  config.filter = std::make_shared<const SenderFilter> (filter);
  return config;
}

GST_START_TEST (test_rtp_parsing)
{
  RtpHeader h;
  Bytes good = rtp (0x11223344, 7);
  fail_unless (parse_rtp (good.data (), good.size (), h));
  fail_unless_equals_int (h.ssrc, 0x11223344);
  fail_unless_equals_int (h.seq, 7);
  fail_unless_equals_int (h.payload_size, 100);
  fail_unless_equals_int (h.payload_offset, 12);

  for (guint8 version : {0, 1, 3}) {
    Bytes b = good;
    b[0] = guint8 ((version << 6) | (b[0] & 0x3f));
    fail_if (parse_rtp (b.data (), b.size (), h), "version %u accepted", version);
  }
  for (size_t n = 0; n < 12; n++)
    fail_if (parse_rtp (good.data (), n, h), "%zu bytes accepted", n);
  Bytes csrc = good;
  csrc[0] |= 0x0f;  /* 15 CSRCs: 60 bytes more than the 12-byte header */
  csrc.resize (40);
  fail_if (parse_rtp (csrc.data (), csrc.size (), h));
  Bytes ext = good;
  ext[0] |= 0x10;  /* extension of 0xffff words */
  ext[14] = 0xff;
  ext[15] = 0xff;
  fail_if (parse_rtp (ext.data (), ext.size (), h));
  Bytes pad = good;
  pad[0] |= 0x20;
  pad.back () = 200;  /* more padding than payload */
  fail_if (parse_rtp (pad.data (), pad.size (), h));
  pad.back () = 0;
  fail_if (parse_rtp (pad.data (), pad.size (), h));
  pad.back () = 4;
  fail_unless (parse_rtp (pad.data (), pad.size (), h));
  fail_unless_equals_int (h.payload_size, 96);
  Bytes sr = rtcp (1);
  fail_if (parse_rtp (sr.data (), sr.size (), h), "an SR parsed as RTP");
  fail_unless (looks_like_rtcp (sr.data (), sr.size ()));
  fail_if (looks_like_rtcp (good.data (), good.size ()));
}
GST_END_TEST;

GST_START_TEST (test_rtcp_parsing)
{
  RtcpSummary s;
  Bytes sr = rtcp (0xCA3E7A);
  fail_unless (parse_rtcp (sr.data (), sr.size (), s));
  fail_unless_equals_int (s.first_ssrc, 0xCA3E7A);
  fail_unless_equals_int (s.first_type, 200);
  fail_unless (s.only_first_ssrc);
  fail_if (s.bye);
  fail_unless_equals_int (s.packets, 2);

  Bytes bye = rtcp (0xCA3E7A, true);
  fail_unless (parse_rtcp (bye.data (), bye.size (), s));
  fail_unless (s.bye);
  Bytes naming_other = rtcp (0xCA3E7A, false, 0xBAD);
  fail_unless (parse_rtcp (naming_other.data (), naming_other.size (), s));
  fail_if (s.only_first_ssrc, "an SDES chunk of another source went unnoticed");

  for (size_t n = 0; n < sr.size (); n++)  /* 28: the SR alone, a valid compound */
    fail_if (n != 28 && parse_rtcp (sr.data (), n, s), "a compound cut at %zu bytes parsed", n);
  Bytes longer = sr;
  longer[3] += 1;  /* the first packet claims one word more */
  fail_if (parse_rtcp (longer.data (), longer.size (), s));
  Bytes padded_first = sr;
  padded_first[0] |= 0x20;  /* padding on a packet that is not the last */
  fail_if (parse_rtcp (padded_first.data (), padded_first.size (), s));
  Bytes version = sr;
  version[0] = guint8 (0x40 | (version[0] & 0x3f));
  fail_if (parse_rtcp (version.data (), version.size (), s));
  const guint8 junk[4] = {1, 2, 3, 4};
  fail_if (parse_rtcp (junk, sizeof (junk), s));
  const guint8 empty_rr[4] = {0x80, 201, 0, 0};  /* no SSRC */
  fail_if (parse_rtcp (empty_rr, sizeof (empty_rr), s));
}
GST_END_TEST;

GST_START_TEST (test_peers_and_allowed_senders)
{
  Peer v4 = peer ("192.0.2.7", 5004);
  Peer mapped = peer ("::ffff:192.0.2.7", 5004);
  fail_unless (v4 == mapped, "a dual-stack socket's mapped address is the same sender");
  fail_unless (v4.is_ipv4 ());
  fail_unless (v4.to_string () == "192.0.2.7:5004", "%s", v4.to_string ().c_str ());
  fail_unless (peer ("2001:db8::7", 9).to_string () == "[2001:db8::7]:9");
  fail_unless (v4.to_socket_address (G_SOCKET_FAMILY_IPV4) != nullptr);
  GObjectPtr<GSocketAddress> six = v4.to_socket_address (G_SOCKET_FAMILY_IPV6);
  GCharPtr text (g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (six.get ()))));
  fail_unless_equals_string (text.get (), "::ffff:192.0.2.7");
  fail_unless (peer ("2001:db8::7", 9).to_socket_address (G_SOCKET_FAMILY_IPV4) == nullptr);
  fail_unless (peer ("192.0.2.7", 0).to_socket_address (G_SOCKET_FAMILY_IPV4) == nullptr, "port 0 is no destination");

  SenderFilter f;
  std::string error;
  fail_unless (SenderFilter::parse ("", f, error));
  fail_unless (f.allows_all () && f.allows (v4));
  fail_unless (SenderFilter::parse (" 192.0.2.0/24, 198.51.100.9 ;2001:db8::/32 ", f, error), "%s", error.c_str ());
  fail_unless (f.allows (v4) && f.allows (mapped));
  fail_unless (f.allows (peer ("198.51.100.9", 1)));
  fail_if (f.allows (peer ("198.51.100.10", 1)));
  fail_if (f.allows (peer ("192.0.3.7", 1)));
  fail_unless (f.allows (peer ("2001:db8:1::1", 1)));
  fail_if (f.allows (peer ("2001:db9::1", 1)));
  fail_if (f.allows (Peer ()), "an unknown sender passed a list");
  std::string normalised = f.to_string ();
  fail_unless_equals_string (normalised.c_str (), "192.0.2.0/24,198.51.100.9,2001:db8::/32");
  fail_unless (SenderFilter::parse ("192.0.2.77/24,::ffff:198.51.100.0/120,0.0.0.0/0", f, error));
  normalised = f.to_string ();
  fail_unless_equals_string (normalised.c_str (), "192.0.2.0/24,::ffff:198.51.100.0/120,0.0.0.0/0");
  fail_unless (f.allows (peer ("203.0.113.1", 1)));
  fail_if (f.allows (peer ("2001:db8::1", 1)), "0.0.0.0/0 is IPv4 only");

  for (const char *bad : {"192.0.2.0/33", "camera-7", "192.0.2.1/", "2001:db8::/129", "1.2.3.4/x", "/8"}) {
    fail_if (SenderFilter::parse (std::string ("192.0.2.1,") + bad, f, error), "%s parsed", bad);
    fail_unless (error.find (std::string ("'") + bad + "'") != std::string::npos, "%s", error.c_str ());
    fail_unless (f.allows_all (), "a failed parse left a partial list");
  }
}
GST_END_TEST;

GST_START_TEST (test_one_sender_per_stream)
{
  StreamGate gate ({});
  Peer camera = peer ("192.0.2.7", 40000), intruder = peer ("198.51.100.66", 40000);
  gint64 t = 1000000;
  Bytes a = rtp (0xA, 1);
  GateVerdict v = gate.rtp (a.data (), a.size (), camera, t);
  fail_unless (v.accepted () && v.sender_changed && !v.had_previous);
  /* Another SSRC, or the same SSRC from another host, while it is live. */
  Bytes b = rtp (0xB, 1), same_ssrc = rtp (0xA, 2);
  fail_unless (gate.rtp (b.data (), b.size (), camera, t + 10).drop == Drop::ForeignSender);
  fail_unless (gate.rtp (same_ssrc.data (), same_ssrc.size (), intruder, t + 20).drop == Drop::ForeignSender);
  Bytes a2 = rtp (0xA, 2);
  fail_unless (gate.rtp (a2.data (), a2.size (), camera, t + 30).accepted ());
  /* Silent for the takeover time (2 s by default): the next one takes over. */
  fail_unless (gate.rtp (b.data (), b.size (), intruder, t + 30 + 2 * G_USEC_PER_SEC - 1).drop == Drop::ForeignSender);
  v = gate.rtp (b.data (), b.size (), intruder, t + 30 + 2 * G_USEC_PER_SEC);
  fail_unless (v.accepted () && v.sender_changed && v.had_previous);
  fail_unless_equals_int (v.previous_ssrc, 0xA);
  fail_unless_equals_int (gate.sender ().ssrc, 0xB);

  /* BYE from the current sender frees the stream at once. */
  Bytes bye = rtcp (0xB, true);
  fail_unless (gate.rtcp (bye.data (), bye.size (), peer ("198.51.100.66", 40001), t + 3 * G_USEC_PER_SEC).accepted ());
  Bytes c = rtp (0xC, 1);
  v = gate.rtp (c.data (), c.size (), camera, t + 3 * G_USEC_PER_SEC + 1);
  fail_unless (v.accepted () && v.sender_changed);
  /* A BYE followed by more media from the same sender (a spoofed BYE, or a
   * sender that changed its mind) leaves it current. */
  Bytes c_bye = rtcp (0xC, true), c2 = rtp (0xC, 2);
  fail_unless (gate.rtcp (c_bye.data (), c_bye.size (), peer ("192.0.2.7", 40001), t + 3 * G_USEC_PER_SEC + 2).accepted ());
  fail_unless (gate.rtp (c2.data (), c2.size (), camera, t + 3 * G_USEC_PER_SEC + 3).accepted ());
  fail_unless (gate.rtp (b.data (), b.size (), intruder, t + 3 * G_USEC_PER_SEC + 4).drop == Drop::ForeignSender,
      "a BYE followed by media still let another sender in");
  /* A BYE for the current SSRC from another host is not the sender's. */
  Bytes spoofed_bye = rtcp (0xC, true);
  fail_unless (gate.rtcp (spoofed_bye.data (), spoofed_bye.size (), intruder, t + 4 * G_USEC_PER_SEC).drop == Drop::ForeignSender);
  fail_unless (gate.rtp (b.data (), b.size (), intruder, t + 4 * G_USEC_PER_SEC + 1).drop == Drop::ForeignSender);

  GateCounters counts = gate.counters ();
  fail_unless_equals_int (counts.sender_changes, 3);
  fail_unless_equals_int (counts.dropped_foreign, 6);
}
GST_END_TEST;

GST_START_TEST (test_blind_spoofing_of_the_sender)
{
  /* The camera: 30 frames/s at 90 kHz, 3 packets a frame. */
  StreamGate gate ({});
  Peer camera = peer ("192.0.2.7", 40000);
  gint64 now = G_USEC_PER_SEC;
  guint16 seq = 1000;
  guint32 ts = 5000000;
  auto send = [&] (guint16 s, guint32 t, gint64 at) {
    Bytes b = rtp (0xA, s, 100, t);
    return gate.rtp (b.data (), b.size (), camera, at);
  };
  for (int frame = 0; frame < 10; frame++, ts += 3000, now += 33333)
    for (int p = 0; p < 3; p++)
      fail_unless (send (seq++, ts, now).accepted ());
  /* The camera's address and SSRC with random sequence numbers and
   * timestamps: dropped, the camera's own packets still pass. */
  guint32 x = 12345;
  int spoofs_passed = 0;
  for (int i = 0; i < 2000; i++) {
    x = x * 1103515245u + 12345u;
    spoofs_passed += send (guint16 (x >> 8), x * 2654435761u, now).accepted ();
  }
  fail_unless (spoofs_passed <= 1, "%d of 2000 blind spoofs passed", spoofs_passed);
  fail_unless (gate.counters ().dropped_out_of_sequence >= 1999);
  fail_unless (send (seq++, ts, now + 1).accepted (), "the camera was locked out");
  /* A late packet (reordered) and a loss burst still belong. */
  fail_unless (send (guint16 (seq - 50), ts - 3000, now + 2).accepted ());
  seq += 500;
  ts += 90000;
  now += G_USEC_PER_SEC;
  fail_unless (send (seq++, ts, now).accepted (), "a packet after a 500-packet, one-second loss was dropped");
  /* A long silence lets the timestamp move on as far as the clock ran. */
  now += 60 * G_USEC_PER_SEC;
  ts += 60 * 90000;
  fail_unless (send (seq++, ts, now).accepted (), "a packet after a minute of silence was dropped");
  /* Pairs in sequence at random places (s, s+1), interleaved with the live
   * camera: the camera's sequence is alive, so no pair is believed. */
  int pairs_passed = 0, camera_dropped = 0;
  for (int i = 0; i < 200; i++) {
    now += 1000;
    x = x * 1103515245u + 12345u;
    pairs_passed += send (guint16 (x >> 8), x, now).accepted ();
    pairs_passed += send (guint16 ((x >> 8) + 1), x + 3000, now + 1).accepted ();
    camera_dropped += !send (seq++, ts, now + 2).accepted ();
    if (i % 3 == 2)
      ts += 3000;
  }
  fail_unless (pairs_passed == 0, "%d spoofed packets in pairs passed", pairs_passed);
  fail_unless (camera_dropped == 0, "the camera lost %d packets to the pairs", camera_dropped);
  /* The camera reboots keeping its SSRC: quiet, then a new sequence. The
   * first packet is doubted, the second in a row believed. */
  now += G_USEC_PER_SEC;
  seq = 7;
  ts = 123;
  fail_unless (send (seq++, ts, now).drop == Drop::OutOfSequence);
  fail_unless (send (seq++, ts + 3000, now + 1).accepted (), "a restarted sequence was never believed");
  fail_unless (send (seq++, ts + 6000, now + 2).accepted ());
}
GST_END_TEST;

GST_START_TEST (test_takeover_rules)
{
  Peer camera = peer ("192.0.2.7", 40000), other = peer ("198.51.100.66", 40000);
  Bytes a = rtp (0xA, 1), a2 = rtp (0xA, 2), b = rtp (0xB, 1);
  const gint64 s = G_USEC_PER_SEC;
  /* sender-timeout 0: silence never frees the stream, only BYE. */
  GateConfig only_bye;
  only_bye.takeover_after_us = 0;
  StreamGate strict (only_bye);
  strict.rtp (a.data (), a.size (), camera, s);
  fail_unless (strict.rtp (b.data (), b.size (), other, 100 * s).drop == Drop::ForeignSender,
      "sender-timeout=0 let another sender in after silence");
  Bytes bye = rtcp (0xA, true);
  strict.rtcp (bye.data (), bye.size (), peer ("192.0.2.7", 40001), 100 * s + 1);
  fail_unless (strict.rtp (b.data (), b.size (), other, 100 * s + 2).accepted ());

  /* The camera's own host with a new SSRC (an encoder restarted without
   * BYE), once the camera has streamed 2 s: after 200 ms of quiet, on the
   * third packet in a row of its own sequence 200 ms after the first;
   * another host needs the full 2 s. */
  StreamGate gate ({});
  for (int i = 0; i <= 25; i++) {
    Bytes ai = rtp (0xA, guint16 (i + 1), 100, guint32 (i * 7200));
    gate.rtp (ai.data (), ai.size (), camera, s + i * s / 10);
  }
  const gint64 quiet_from = s + 25 * s / 10;  /* 2.5 s of camera, then quiet */
  Bytes c = rtp (0xC, 1), c2 = rtp (0xC, 2), c3 = rtp (0xC, 3);
  fail_unless (gate.rtp (c.data (), c.size (), other, quiet_from + s / 2).drop == Drop::ForeignSender);
  fail_unless (gate.rtp (c.data (), c.size (), camera, quiet_from + s / 10).drop == Drop::ForeignSender,
      "the same host took over while the old SSRC was live");
  fail_unless (gate.rtp (c.data (), c.size (), camera, quiet_from + s / 5).drop == Drop::ForeignSender,
      "the same host's new SSRC took over on its first packet");
  fail_unless (gate.rtp (c2.data (), c2.size (), camera, quiet_from + 3 * s / 10).drop == Drop::ForeignSender);
  GateVerdict v = gate.rtp (c3.data (), c3.size (), camera, quiet_from + 4 * s / 10);
  fail_unless (v.accepted () && v.sender_changed && v.previous_ssrc == 0xA,
      "the same host's new SSRC was not let in after 200 ms and three in a row over 200 ms");
  fail_unless (v.sender == camera && v.packets_before == 26, "the verdict names %s after %" G_GUINT64_FORMAT,
      v.sender.to_string ().c_str (), v.packets_before);

  /* Narrowing allowed-senders live: a sender left out stops being the
   * stream's, and reports no longer go to it. */
  StreamGate narrowed ({});
  narrowed.rtp (a.data (), a.size (), camera, s);
  narrowed.rtp (a2.data (), a2.size (), camera, s + 1);
  fail_unless (!destination (narrowed).empty ());
  SenderFilter f;
  std::string error;
  fail_unless (SenderFilter::parse ("198.51.100.0/24", f, error));
  narrowed.set_filter (std::make_shared<const SenderFilter> (f));
  fail_unless (destination (narrowed).empty (), "reports still go to %s", destination (narrowed).c_str ());
  fail_unless (narrowed.rtp (b.data (), b.size (), other, s + 2).accepted (),
      "an allowed sender had to wait for the disallowed one to time out");
}
GST_END_TEST;

/* A camera at 25 frames/s, 3 packets a frame, and a process on its host. */
struct LiveCamera {
  StreamGate &gate;
  Peer from;
  guint32 ssrc;
  guint16 seq = 100;
  guint32 ts = 9000;
  GateVerdict send (gint64 at)
  {
    Bytes b = rtp (ssrc, seq++, 100, ts);
    return gate.rtp (b.data (), b.size (), from, at);
  }
  /* @frames frames from @at; the time after them. */
  gint64 stream (gint64 at, int frames, int *dropped = nullptr)
  {
    for (int f = 0; f < frames; f++, at += 40000, ts += 3600)
      for (int p = 0; p < 3; p++)
        if (!send (at + p).accepted () && dropped)
          (*dropped)++;
    return at;
  }
};

GST_START_TEST (test_live_sender_keeps_its_stream)
{
  const gint64 ms = G_TIME_SPAN_MILLISECOND;
  Peer camera_port = peer ("192.0.2.7", 40000), neighbour_port = peer ("192.0.2.7", 41000);
  /* A newcomer's sequence of its own: @n packets, one every @every. */
  auto run = [] (LiveCamera &newcomer, gint64 at, int n, gint64 every) {
    GateVerdict last;
    for (int i = 0; i < n; i++)
      last = newcomer.send (at + i * every);
    return last;
  };
  /* 60 frames, 2.4 s: long enough for the camera's pace to count. */
  const int kShown = 60;

  /* A neighbour on the camera's host rotating SSRCs, each a few packets in
   * sequence, while the camera streams: never current, the camera loses nothing. */
  {
    StreamGate gate ({});
    LiveCamera camera {gate, camera_port, 0xCA};
    gint64 t = camera.stream (G_USEC_PER_SEC, kShown);
    int camera_dropped = 0, neighbour_passed = 0;
    for (guint32 ssrc = 0xB0; ssrc < 0xB0 + 50; ssrc++) {
      LiveCamera neighbour {gate, neighbour_port, ssrc};
      for (int i = 0; i < 5; i++)
        neighbour_passed += neighbour.send (t + i).accepted ();
      t = camera.stream (t + 10, 1, &camera_dropped);
    }
    fail_unless (neighbour_passed == 0 && camera_dropped == 0,
        "rotating SSRCs: %d of the neighbour's packets passed, the camera lost %d", neighbour_passed,
        camera_dropped);
    fail_unless_equals_int (gate.sender ().ssrc, 0xCA);
  }

  /* Three packets back to back are no sustained sequence; and until the
   * camera has shown its pace (2 s), a newcomer waits sender-timeout. */
  {
    StreamGate gate ({});
    LiveCamera camera {gate, camera_port, 0xCA}, neighbour {gate, neighbour_port, 0xB3};
    gint64 t = camera.stream (G_USEC_PER_SEC, 10) + 300 * ms;  /* 0.4 s of it */
    fail_if (run (neighbour, t, 8, 40 * ms).accepted (), "a newcomer took over before the camera's pace was known");
    t = camera.stream (t + 400 * ms, kShown) + 1500 * ms;  /* quiet for twice even its longest gap */
    fail_if (run (neighbour, t, 3, 1).accepted (), "three packets back to back took over");
  }

  /* The camera pauses 300 ms (longer than 200 ms, twice its gaps): the
   * neighbour's sustained sequence takes over, and the camera continuing
   * its own sequence takes it back at once; then the neighbour, or another
   * SSRC of its host, has no quick way back for 10 s. */
  {
    StreamGate gate ({});
    LiveCamera camera {gate, camera_port, 0xCA}, neighbour {gate, neighbour_port, 0xB1},
        relay {gate, neighbour_port, 0xB2};
    gint64 t = camera.stream (G_USEC_PER_SEC, kShown) + 300 * ms;
    GateVerdict v = run (neighbour, t, 3, 100 * ms);
    fail_unless (v.accepted () && v.sender_changed, "the neighbour's sustained sequence did not take over");
    /* Another SSRC of the neighbour's takes over from it: the camera's way back stays. */
    fail_if (run (relay, t + 500 * ms, 3, 100 * ms).accepted (), "a relay took over from the newcomer at once");
    v = camera.send (t + 800 * ms);
    fail_unless (v.accepted () && v.sender_changed && v.previous_ssrc == 0xB1,
        "the camera continuing its sequence did not take its stream back");
    fail_unless (!neighbour.send (t + 801 * ms).accepted (), "the neighbour came straight back");
    /* Its pace shown again, then quiet for 300 ms (enough for a quick way
     * in, another time): none so soon after the take-back. */
    gint64 after = camera.stream (t + 840 * ms, kShown) + 300 * ms;
    fail_if (run (relay, after, 3, 100 * ms).accepted (), "a quick way back within 10 s of the take-back");
    int camera_dropped = 0;
    camera.stream (after + 250 * ms, 20, &camera_dropped);
    fail_unless_equals_int (camera_dropped, 0);
    fail_unless_equals_int (gate.sender ().ssrc, 0xCA);
  }

  /* A relay: newcomers of the host taking over from each other (each at
   * its own steady pace) never erase the camera's way back. */
  {
    StreamGate gate ({});
    LiveCamera camera {gate, camera_port, 0xCA}, first {gate, neighbour_port, 0xB1},
        second {gate, peer ("192.0.2.7", 42000), 0xB2};
    gint64 t = camera.stream (G_USEC_PER_SEC, kShown) + 300 * ms;
    fail_unless (run (first, t, 6, 40 * ms).sender_changed);
    t = first.stream (t + 240 * ms, kShown) + 300 * ms;  /* the first newcomer's own pace, shown */
    fail_unless (run (second, t, 6, 40 * ms).sender_changed, "the second newcomer did not take over");
    GateVerdict v = camera.send (t + 300 * ms);
    fail_unless (v.accepted () && v.sender_changed && v.previous_ssrc == 0xB2,
        "after a relay of newcomers the camera had no way back");
  }

  /* How quiet counts as gone follows the camera: at 2 frames/s (500 ms
   * gaps), 300 ms of quiet is just a gap and the neighbour stays out. */
  {
    StreamGate gate ({});
    LiveCamera camera {gate, camera_port, 0xCA}, neighbour {gate, neighbour_port, 0xB2};
    gint64 t = G_USEC_PER_SEC;
    for (int f = 0; f < 8; f++, t += 500 * ms)
      camera.send (t);
    t += 300 * ms - 500 * ms;
    fail_if (run (neighbour, t, 5, 100 * ms).accepted (),
        "the neighbour took a slow camera's stream between two of its frames");
  }

  /* An encoder restart: the old SSRC silent, the new one steady from the
   * same host: it takes over once its own sequence spans 200 ms. */
  {
    StreamGate gate ({});
    LiveCamera old_encoder {gate, camera_port, 0xCA}, new_encoder {gate, neighbour_port, 0xCB};
    gint64 t = old_encoder.stream (G_USEC_PER_SEC, kShown) + 200 * ms;
    int dropped = 0;
    t = new_encoder.stream (t, 6, &dropped);
    fail_unless (dropped == 15 && gate.sender ().ssrc == 0xCB,
        "the restarted encoder: %d dropped, sender %08x", dropped, gate.sender ().ssrc);
    dropped = 0;
    new_encoder.stream (t, 25, &dropped);
    fail_unless_equals_int (dropped, 0);
  }
}
GST_END_TEST;

GST_START_TEST (test_one_classification_per_datagram)
{
  /* rtcp-mux: the packet type tells RTCP from RTP on the one port, and the
   * verdict says which it was. */
  GateConfig muxed;
  muxed.rtcp_mux = true;
  StreamGate gate (muxed);
  Peer camera = peer ("192.0.2.7", 40000);
  Bytes a = rtp (0xA, 1), sr = rtcp (0xA);
  GateVerdict v = gate.admit (a.data (), a.size (), camera, G_USEC_PER_SEC, false);
  fail_unless (v.accepted () && !v.rtcp && v.sender_changed);
  v = gate.admit (sr.data (), sr.size (), camera, G_USEC_PER_SEC + 1, false);
  fail_unless (v.accepted () && v.rtcp, "an SR on the muxed port was not taken as RTCP");
  /* Without rtcp-mux, the RTP socket takes RTP only: RTCP there is junk. */
  StreamGate plain ({});
  plain.admit (a.data (), a.size (), camera, G_USEC_PER_SEC, false);
  v = plain.admit (sr.data (), sr.size (), camera, G_USEC_PER_SEC + 1, false);
  fail_unless (v.drop == Drop::Malformed && !v.rtcp);
  v = plain.admit (sr.data (), sr.size (), peer ("192.0.2.7", 40001), G_USEC_PER_SEC + 2, true);
  fail_unless (v.accepted () && v.rtcp);
}
GST_END_TEST;

GST_START_TEST (test_rtcp_only_from_the_sender_about_itself)
{
  StreamGate gate ({});
  Peer camera = peer ("192.0.2.7", 40000);
  Bytes sr = rtcp (0xA);
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 40001), 1).drop == Drop::NotForUs,
      "RTCP before any RTP locked the stream");
  Bytes a = rtp (0xA, 1);
  gate.rtp (a.data (), a.size (), camera, 2);
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 40001), 3).accepted ());
  Bytes other = rtcp (0xB);
  fail_unless (gate.rtcp (other.data (), other.size (), peer ("192.0.2.7", 40001), 4).drop == Drop::ForeignSender);
  Bytes naming_other = rtcp (0xA, false, 0xBAD);
  fail_unless (gate.rtcp (naming_other.data (), naming_other.size (), peer ("192.0.2.7", 40001), 5).drop == Drop::ForeignSender,
      "a compound naming another source would create it in rtpsession");
  const guint8 junk[4] = {0xde, 0xad, 0xbe, 0xef};
  fail_unless (gate.rtcp (junk, sizeof (junk), peer ("192.0.2.7", 40001), 6).drop == Drop::Malformed);
}
GST_END_TEST;

GST_START_TEST (test_rtcp_port_of_the_sender_is_locked)
{
  /* A spoofer on the camera's host, with its SSRC, beside the live camera:
   * its reports redirected the receiver's, its wild SRs reached rtpbin. */
  StreamGate gate ({});
  const gint64 s = G_USEC_PER_SEC;
  Bytes a1 = rtp (0xA, 1), a2 = rtp (0xA, 2), sr = rtcp (0xA);
  gate.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 40000), 1);
  gate.rtp (a2.data (), a2.size (), peer ("192.0.2.7", 40000), 2);
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 40001), 3).accepted ());
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 4).drop == Drop::ForeignSender,
      "RTCP from another port of the camera's host passed while the camera's RTCP is alive");
  fail_unless (destination (gate) == "192.0.2.7:40001", "%s", destination (gate).c_str ());
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 40000), 5).accepted (),
      "RTCP from the sender's RTP socket was refused");
  fail_unless (destination (gate) == "192.0.2.7:40001", "RTCP from the RTP socket moved the reports: %s",
      destination (gate).c_str ());
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 5 + 29 * s).drop == Drop::ForeignSender);
  /* The camera's RTCP port quiet for 30 s: another port of its host is believed. */
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 5 + 30 * s).accepted ());
  fail_unless (destination (gate) == "192.0.2.7:50000", "%s", destination (gate).c_str ());
  /* The camera restarted with its SSRC on new ports: its RTCP follows at once. */
  Bytes a3 = rtp (0xA, 3);
  fail_unless (gate.rtp (a3.data (), a3.size (), peer ("192.0.2.7", 41000), 6 + 30 * s).accepted ());
  fail_unless (destination (gate) == "192.0.2.7:41001", "%s", destination (gate).c_str ());
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 41001), 7 + 30 * s).accepted ());
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 8 + 30 * s).drop == Drop::ForeignSender);
  /* A replay of the camera's packet from another port while the camera
   * streams does not move its RTP, nor unlock its RTCP port. */
  Bytes a4 = rtp (0xA, 4);
  fail_unless (gate.rtp (a4.data (), a4.size (), peer ("192.0.2.7", 41000), 9 + 30 * s).accepted ());
  fail_unless (gate.rtp (a4.data (), a4.size (), peer ("192.0.2.7", 50000), 10 + 30 * s).drop == Drop::OutOfSequence,
      "a replayed packet from another port of the camera's host moved the sender");
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 11 + 30 * s).drop == Drop::ForeignSender);
  fail_unless (destination (gate) == "192.0.2.7:41001", "%s", destination (gate).c_str ());
}
GST_END_TEST;

GST_START_TEST (test_rtcp_from_the_rtp_socket_locks_nothing)
{
  const gint64 s = G_USEC_PER_SEC;
  Bytes a1 = rtp (0xA, 1), a2 = rtp (0xA, 2), sr = rtcp (0xA);
  Peer rtp_port = peer ("192.0.2.7", 40000);
  /* RTCP first from the RTP socket: reports go there, and a separate RTCP
   * port that appears later is still the sender's. */
  StreamGate one ({});
  one.rtp (a1.data (), a1.size (), rtp_port, 1);
  one.rtp (a2.data (), a2.size (), rtp_port, 2);
  fail_unless (one.rtcp (sr.data (), sr.size (), rtp_port, 3).accepted ());
  fail_unless (destination (one) == "192.0.2.7:40000", "%s", destination (one).c_str ());
  fail_unless (one.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 40001), 4).accepted ());
  fail_unless (destination (one) == "192.0.2.7:40001", "%s", destination (one).c_str ());
  /* RTCP from the RTP socket does not keep the learned port alive: 30 s
   * after that port's last RTCP, another port may take over. */
  fail_unless (one.rtcp (sr.data (), sr.size (), rtp_port, 20 * s).accepted ());
  fail_unless (one.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 29 * s).drop == Drop::ForeignSender);
  fail_unless (one.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50000), 4 + 30 * s).accepted ());
}
GST_END_TEST;

GST_START_TEST (test_new_server_ports_forget_the_rtcp_port)
{
  /* Pull mode reconnected: SETUP named a new RTCP server port, the same RTP port. */
  GateConfig config;
  config.server_ports = ServerPorts {6000, 6001};
  StreamGate gate (config);
  Bytes a1 = rtp (0xA, 1), a2 = rtp (0xA, 2), sr = rtcp (0xA);
  gate.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 6000), 1);
  gate.rtp (a2.data (), a2.size (), peer ("192.0.2.7", 6000), 2);
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 6001), 3).accepted ());
  gate.set_server_ports (ServerPorts {6000, 7001});
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 7001), 4).accepted (),
      "the camera's new RTCP port was refused for the old one's sake");
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 6001), 5).drop == Drop::NotAllowed);
}
GST_END_TEST;

GST_START_TEST (test_allowed_senders_before_anything)
{
  GateConfig config = only_from ("192.0.2.7");
  StreamGate gate (config);
  Bytes a = rtp (0xA, 1);
  fail_unless (gate.rtp (a.data (), a.size (), peer ("198.51.100.1", 5), 1).drop == Drop::NotAllowed,
      "a sender outside the list locked the stream");
  fail_unless (gate.rtp (a.data (), a.size (), peer ("192.0.2.7", 5), 2).accepted ());
  const guint8 junk[3] = {1, 2, 3};
  fail_unless (gate.rtp (junk, sizeof (junk), peer ("198.51.100.1", 5), 3).drop == Drop::NotAllowed);
  /* Live change: nobody allowed any more. */
  gate.set_filter (only_from ("203.0.113.1").filter);
  fail_unless (gate.rtp (a.data (), a.size (), peer ("192.0.2.7", 5), 4).drop == Drop::NotAllowed);
  DropReport report;
  fail_unless (gate.take_drop_report (10, 10 * G_USEC_PER_SEC, report));
  fail_unless_equals_int (report.not_allowed, 3);
  fail_unless (report.example.to_string () == "192.0.2.7:5", "%s", report.example.to_string ().c_str ());
  /* Rate-limited: the next report only after the interval. */
  gate.rtp (a.data (), a.size (), peer ("192.0.2.7", 5), 20);
  fail_if (gate.take_drop_report (20, 10 * G_USEC_PER_SEC, report));
  fail_unless (gate.take_drop_report (10 + 10 * G_USEC_PER_SEC, 10 * G_USEC_PER_SEC, report));
  fail_unless_equals_int (report.not_allowed, 1);
}
GST_END_TEST;

/* Pull mode: the camera's address and the server_port of its SETUP reply. */
GST_START_TEST (test_only_the_camera_server_ports)
{
  GateConfig config = only_from ("192.0.2.7");
  config.server_ports = {6970, 6971};
  StreamGate gate (config);
  Bytes stale = rtp (0x5, 1), camera = rtp (0xC, 1);
  fail_unless (gate.rtp (stale.data (), stale.size (), peer ("192.0.2.7", 7000), 1).drop == Drop::NotAllowed,
      "the camera's address from another port (a stale session) locked the stream");
  fail_unless (gate.rtp (camera.data (), camera.size (), peer ("192.0.2.7", 6970), 2).accepted ());
  Bytes sr = rtcp (0xC), stale_sr = rtcp (0x5);
  fail_unless (gate.rtcp (stale_sr.data (), stale_sr.size (), peer ("192.0.2.7", 7001), 3).drop ==
      Drop::NotAllowed, "the stale session's RTCP passed");
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 6971), 4).accepted ());
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 6970), 5).accepted (),
      "RTCP from the server's RTP port (one socket for both) was refused");
  fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 7001), 5).drop == Drop::NotAllowed,
      "RTCP from another port passed though the announced one sends");
  /* Reconnected: new server ports; the old ones' sender is no longer current. */
  gate.set_server_ports ({6980, 6981});
  fail_if (gate.sender ().present);
  fail_unless (gate.rtp (camera.data (), camera.size (), peer ("192.0.2.7", 6970), 6).drop == Drop::NotAllowed);
  /* Without a server_port in the reply: any port of the camera. */
  gate.set_server_ports ({});
  fail_unless (gate.rtp (stale.data (), stale.size (), peer ("192.0.2.7", 7000), 7).accepted ());
}
GST_END_TEST;

/* A camera that announced ports it does not send from (or NAT changed
 * them) is followed to the ones it uses, once PLAY has been answered a
 * while and the announced one stayed silent; never while it sends. */
GST_START_TEST (test_camera_followed_to_the_ports_it_uses)
{
  GateConfig config = only_from ("192.0.2.7");
  config.server_ports = {6970, 6971};
  config.fixed_report_to = peer ("192.0.2.7", 6971);
  {
    StreamGate gate (config);
    Bytes c1 = rtp (0xC, 1), c2 = rtp (0xC, 2), c3 = rtp (0xC, 3), c4 = rtp (0xC, 4);
    gate.play_sent ();  /* the camera's first packets overtake PLAY's answer */
    fail_unless (gate.rtp (c1.data (), c1.size (), peer ("192.0.2.7", 50000), 10).drop == Drop::NotAllowed,
        "followed before PLAY was answered");
    gate.follow_undeclared_ports_after (100);
    fail_unless (gate.rtp (c1.data (), c1.size (), peer ("192.0.2.7", 50000), 50).drop == Drop::NotAllowed,
        "followed before the grace was over");
    GateVerdict v = gate.rtp (c2.data (), c2.size (), peer ("192.0.2.7", 50000), 100);
    fail_unless (v.accepted () && v.followed_port, "not followed once the announced port stayed silent");
    gate.rtp (c3.data (), c3.size (), peer ("192.0.2.7", 50000), 120);
    fail_unless (gate.rtp (c4.data (), c4.size (), peer ("192.0.2.7", 6970), 130).drop == Drop::NotAllowed,
        "the announced port still counts once the camera was followed elsewhere");
    Bytes sr = rtcp (0xC);
    fail_unless (gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 50001), 140).accepted ());
    fail_unless (destination (gate) == "192.0.2.7:50001", "reports to %s", destination (gate).c_str ());
  }
  {
    /* The announced port sends: nothing else is ever followed. */
    StreamGate gate (config);
    Bytes c1 = rtp (0xC, 1), s1 = rtp (0x5, 1);
    fail_unless (gate.rtp (c1.data (), c1.size (), peer ("192.0.2.7", 6970), 10).accepted ());
    gate.follow_undeclared_ports_after (100);
    fail_unless (gate.rtp (s1.data (), s1.size (), peer ("192.0.2.7", 7000), 500).drop == Drop::NotAllowed,
        "a stale session was followed though the camera sends from its announced port");
    fail_unless (destination (gate) == "192.0.2.7:6971", "reports to %s", destination (gate).c_str ());
  }
  {
    /* A stale session of an earlier receiver on these ports streams from
     * before PLAY was sent: not followed, however late the camera starts. */
    StreamGate gate (config);
    Bytes s1 = rtp (0x5, 1), s2 = rtp (0x5, 2), s3 = rtp (0x5, 3), c1 = rtp (0xC, 1);
    fail_unless (gate.rtp (s1.data (), s1.size (), peer ("192.0.2.7", 7000), 5).drop == Drop::NotAllowed);
    gate.play_sent ();
    gate.follow_undeclared_ports_after (100);
    fail_unless (gate.rtp (s2.data (), s2.size (), peer ("192.0.2.7", 7000), 1500).drop == Drop::NotAllowed,
        "a stale session that streamed before PLAY was followed");
    fail_unless (gate.rtp (s3.data (), s3.size (), peer ("192.0.2.7", 7000), 1600).drop == Drop::NotAllowed);
    GateVerdict v = gate.rtp (c1.data (), c1.size (), peer ("192.0.2.7", 50000), 2000);
    fail_unless (v.accepted () && v.followed_port, "the camera starting late was not followed");
  }
  {
    /* SETUP named the SSRC: that SSRC is the camera's from any of its ports,
     * at once, and no other ever. */
    config.server_ports.has_ssrc = true;
    config.server_ports.ssrc = 0xC;
    StreamGate gate (config);
    Bytes s1 = rtp (0x5, 1), c1 = rtp (0xC, 1);
    gate.follow_undeclared_ports_after (100);
    fail_unless (gate.rtp (s1.data (), s1.size (), peer ("192.0.2.7", 7000), 500).drop == Drop::NotAllowed,
        "another SSRC than SETUP's was followed");
    fail_unless (gate.rtp (c1.data (), c1.size (), peer ("192.0.2.7", 50000), 501).followed_port);
  }
}
GST_END_TEST;

GST_START_TEST (test_reports_never_to_port_zero)
{
  /* The hole: RTP from source port 65535 made reports go to port 0. */
  StreamGate gate ({});
  Peer camera = peer ("192.0.2.7", 65535);
  Bytes a1 = rtp (0xA, 1), a2 = rtp (0xA, 2);
  gate.rtp (a1.data (), a1.size (), camera, 1);
  std::string why;
  fail_unless (destination (gate, &why).empty (), "before probation: %s", destination (gate).c_str ());
  fail_unless (why.find ("probation") != std::string::npos, "%s", why.c_str ());
  gate.rtp (a2.data (), a2.size (), camera, 2);
  fail_unless (destination (gate, &why).empty (), "reports to %s", destination (gate).c_str ());
  fail_unless (why.find ("65535") != std::string::npos, "%s", why.c_str ());
  /* Its own RTCP says where: that is used. */
  Bytes sr = rtcp (0xA);
  gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 6000), 3);
  fail_unless (destination (gate) == "192.0.2.7:6000", "%s", destination (gate).c_str ());
  /* Source port 0 is no sender: neither its RTCP nor its RTP is taken. */
  StreamGate zero ({});
  zero.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 40000), 1);
  zero.rtp (a2.data (), a2.size (), peer ("192.0.2.7", 40000), 2);
  fail_unless (zero.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 0), 3).drop == Drop::NotAllowed);
  fail_unless (destination (zero) == "192.0.2.7:40001", "%s", destination (zero).c_str ());
  StreamGate zero_rtp ({});
  fail_unless (zero_rtp.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 0), 1).drop == Drop::NotAllowed);
}
GST_END_TEST;

GST_START_TEST (test_spoofed_datagram_does_not_redirect_reports)
{
  /* The hole: four junk bytes to the RTCP port redirected the reports. */
  StreamGate gate ({});
  Peer camera = peer ("192.0.2.7", 40000);
  Bytes a1 = rtp (0xA, 1), a2 = rtp (0xA, 2), sr = rtcp (0xA);
  gate.rtp (a1.data (), a1.size (), camera, 1);
  gate.rtp (a2.data (), a2.size (), camera, 2);
  fail_unless (destination (gate) == "192.0.2.7:40001", "%s", destination (gate).c_str ());
  gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 40001), 3);
  const guint8 junk[4] = {0x80, 0xc8, 0, 0};
  Peer victim = peer ("203.0.113.9", 53);
  gate.rtcp (junk, sizeof (junk), victim, 4);
  Bytes other_sr = rtcp (0xB);
  gate.rtcp (other_sr.data (), other_sr.size (), victim, 5);
  gate.rtcp (sr.data (), sr.size (), victim, 6);  /* the right SSRC, the wrong host */
  Bytes foreign_rtp = rtp (0xB, 1);
  gate.rtp (foreign_rtp.data (), foreign_rtp.size (), victim, 7);
  fail_unless (destination (gate) == "192.0.2.7:40001", "%s", destination (gate).c_str ());
  /* A new sender that has not passed probation does not move them either. */
  Bytes bye = rtcp (0xA, true);
  gate.rtcp (bye.data (), bye.size (), peer ("192.0.2.7", 40001), 8);
  Bytes c = rtp (0xC, 1);
  gate.rtp (c.data (), c.size (), victim, 9);
  fail_unless (destination (gate).empty (), "an unconfirmed sender got the reports: %s", destination (gate).c_str ());
}
GST_END_TEST;

GST_START_TEST (test_report_destination_family_and_multicast)
{
  GateConfig v4_socket;
  StreamGate gate (v4_socket);
  Peer six = peer ("2001:db8::7", 40000);
  Bytes a1 = rtp (0xA, 1), a2 = rtp (0xA, 2);
  gate.rtp (a1.data (), a1.size (), six, 1);
  gate.rtp (a2.data (), a2.size (), six, 2);
  std::string why;
  fail_unless (destination (gate, &why).empty ());
  fail_unless (why.find ("IPv4 socket cannot reach 2001:db8::7") != std::string::npos, "%s", why.c_str ());

  GateConfig dual;
  dual.local_family = G_SOCKET_FAMILY_IPV6;
  StreamGate dual_gate (dual);
  dual_gate.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 40000), 1);
  dual_gate.rtp (a2.data (), a2.size (), peer ("192.0.2.7", 40000), 2);
  GObjectPtr<GSocketAddress> to = dual_gate.report_destination ();
  fail_unless (to && g_socket_address_get_family (to.get ()) == G_SOCKET_FAMILY_IPV6);

  GateConfig mux;
  mux.rtcp_mux = true;
  StreamGate mux_gate (mux);
  mux_gate.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 40000), 1);
  mux_gate.rtp (a2.data (), a2.size (), peer ("192.0.2.7", 40000), 2);
  fail_unless (destination (mux_gate) == "192.0.2.7:40000", "%s", destination (mux_gate).c_str ());

  GateConfig group;
  group.fixed_report_to = peer ("239.1.2.3", 5005);
  group.multicast = true;
  StreamGate group_gate (group);
  fail_unless (destination (group_gate) == "239.1.2.3:5005", "%s", destination (group_gate).c_str ());
  group_gate.rtp (a1.data (), a1.size (), peer ("192.0.2.7", 40000), 1);
  Bytes sr = rtcp (0xA);
  group_gate.rtcp (sr.data (), sr.size (), peer ("192.0.2.7", 7777), 2);
  fail_unless (destination (group_gate) == "239.1.2.3:5005", "%s", destination (group_gate).c_str ());
}
GST_END_TEST;

GST_START_TEST (test_jitter_and_bitrate)
{
  GateConfig config;
  config.clock_rate = 90000;
  StreamGate steady (config), shaky (config);
  Peer camera = peer ("192.0.2.7", 40000);
  /* 100 packets a second, 1000 bytes of payload each, for 1.5 s. The steady
   * camera's packets arrive exactly on their timestamps; the shaky one's
   * 5 ms early or late in turn (450 units at 90 kHz). */
  for (int i = 0; i < 150; i++) {
    const gint64 at = G_USEC_PER_SEC + i * 10000;
    Bytes a = rtp (0xA, guint16 (i), 1000, guint32 (i * 900));
    steady.rtp (a.data (), a.size (), camera, at);
    shaky.rtp (a.data (), a.size (), camera, at + (i % 2 ? 5000 : -5000));
  }
  GateCounters c = steady.counters (), d = shaky.counters ();
  fail_unless (c.jitter <= 1, "steady jitter %u", c.jitter);
  fail_unless (d.jitter >= 700 && d.jitter <= 900, "shaky jitter %u (expected about 900)", d.jitter);
  /* (12 + 1000) bytes * 8 * 100 a second. */
  fail_unless (c.bitrate >= 790000 && c.bitrate <= 830000, "bitrate %" G_GUINT64_FORMAT, c.bitrate);
}
GST_END_TEST;

GST_START_TEST (test_sequence_tracker)
{
  SequenceTracker t;
  for (guint16 s = 65530; s != 5; s++)  /* across the wrap */
    t.add (s);
  fail_unless_equals_int (t.lost (), 0);
  t.add (8);  /* 5, 6, 7 missing */
  fail_unless_equals_int (t.lost (), 3);
  t.add (6);  /* late, but inside the window */
  fail_unless_equals_int (t.lost (), 2);
  t.add (6);
  t.add (8);
  fail_unless_equals_int (t.duplicates (), 2);
  t.add (40000);  /* a restart elsewhere: a new run, not 30000 lost */
  t.add (40001);
  fail_unless_equals_int (t.lost (), 2);
}
GST_END_TEST;

GST_START_TEST (test_silence_watch)
{
  StreamWatch w;
  const gint64 s = G_USEC_PER_SEC;
  w.start (2, 10 * s);
  std::vector<gint64> last = {0, 0};
  fail_unless (w.tick (10 * s + s / 2, last, s).empty ());
  auto events = w.tick (11 * s, last, s);
  fail_unless_equals_int (events.size (), 2);
  fail_unless (events[0].kind == WatchEvent::Silent && events[0].silent_for_us == s);
  fail_unless (w.tick (12 * s, last, s).empty (), "a silence told twice");
  last[0] = 12 * s;  /* stream 0 is back */
  events = w.tick (12 * s + 1, last, s);
  fail_unless_equals_int (events.size (), 1);
  fail_unless (events[0].kind == WatchEvent::Resumed && events[0].index == 0);
  /* Stream 1 has sent nothing for the grace time while stream 0 delivers. */
  events = w.tick (12 * s + kIdleStreamGrace, last, 0);
  fail_unless_equals_int (events.size (), 1);
  fail_unless (events[0].kind == WatchEvent::IdleGap && events[0].index == 1);
  fail_unless (w.tick (20 * s, last, 0).empty (), "a second GAP");
}
GST_END_TEST;

static Suite *
stream_gate_suite (void)
{
  Suite *s = suite_create ("stream-gate");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_rtp_parsing);
  tcase_add_test (tc, test_rtcp_parsing);
  tcase_add_test (tc, test_peers_and_allowed_senders);
  tcase_add_test (tc, test_one_sender_per_stream);
  tcase_add_test (tc, test_blind_spoofing_of_the_sender);
  tcase_add_test (tc, test_takeover_rules);
  tcase_add_test (tc, test_live_sender_keeps_its_stream);
  tcase_add_test (tc, test_one_classification_per_datagram);
  tcase_add_test (tc, test_rtcp_only_from_the_sender_about_itself);
  tcase_add_test (tc, test_rtcp_port_of_the_sender_is_locked);
  tcase_add_test (tc, test_rtcp_from_the_rtp_socket_locks_nothing);
  tcase_add_test (tc, test_new_server_ports_forget_the_rtcp_port);
  tcase_add_test (tc, test_allowed_senders_before_anything);
  tcase_add_test (tc, test_only_the_camera_server_ports);
  tcase_add_test (tc, test_camera_followed_to_the_ports_it_uses);
  tcase_add_test (tc, test_reports_never_to_port_zero);
  tcase_add_test (tc, test_spoofed_datagram_does_not_redirect_reports);
  tcase_add_test (tc, test_report_destination_family_and_multicast);
  tcase_add_test (tc, test_jitter_and_bitrate);
  tcase_add_test (tc, test_sequence_tracker);
  tcase_add_test (tc, test_silence_watch);
  return s;
}

GST_CHECK_MAIN (stream_gate);
