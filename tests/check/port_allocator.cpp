/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — port allocator suite: real sockets, no pipeline. */
#include <gst/check/gstcheck.h>

#include "port-allocator.h"
#include "test-util.h"

#include <set>

using namespace hostnetrtp;

static GObjectPtr<GInetAddress> any4 ()
{
  return GObjectPtr<GInetAddress> (g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
}

static AllocationRequest request_for (GInetAddress *address, const std::string &range_text,
    unsigned streams = 1)
{
  AllocationRequest req;
  req.address = address;
  std::string error;
  fail_unless (parse_port_range (range_text.c_str (), req.range, error), "%s", error.c_str ());
  req.n_streams = streams;
  req.start_seed = replica_start_seed ();
  return req;
}

GST_START_TEST (test_parse_port_range)
{
  PortRange r;
  std::string error;
  fail_unless (parse_port_range ("32546-32599", r, error));
  fail_unless_equals_int (r.min, 32546);
  fail_unless_equals_int (r.max, 32599);
  fail_unless (parse_port_range (" 5004 ", r, error));
  fail_unless_equals_int (r.min, 5004);
  fail_unless_equals_int (r.max, 5004);
  fail_unless (parse_port_range ("", r, error));
  fail_unless (r.kernel_chosen ());
  fail_unless (parse_port_range (nullptr, r, error));
  fail_unless (r.kernel_chosen ());

  const char *malformed[] = {"abc", "5000-", "-5000", "0-10", "70000", "5000-70000", "50 00",
      "5000-6000-7000", "1e3", "+5000"};
  for (const char *text : malformed) {
    error.clear ();
    fail_if (parse_port_range (text, r, error), "'%s' parsed", text);
    fail_unless (error.find (std::string ("'") + text) != std::string::npos,
        "error does not name the value: %s", error.c_str ());
    fail_unless (error.find ("MIN-MAX") != std::string::npos);
  }
  fail_if (parse_port_range ("6000-5000", r, error));
  fail_unless (error.find ("inverted") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("5000-6000") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_pairs_are_even_odd_and_inside_range)
{
  unsigned base;
  std::string range = testutil::random_range (8, &base);
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), range, 3);
  Allocation alloc;
  std::string error;
  fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
  fail_unless_equals_int (alloc.streams.size (), 3);
  std::set<unsigned> ports;
  for (auto &s : alloc.streams) {
    fail_unless (s.rtp_port % 2 == 0, "RTP port %u is odd", s.rtp_port);
    fail_unless_equals_int (s.rtcp_port, s.rtp_port + 1);
    fail_unless (s.rtp_port >= base && s.rtcp_port <= base + 15);
    fail_unless (s.rtp && s.rtcp);
    fail_if (testutil::port_is_free (s.rtp_port));
    fail_if (testutil::port_is_free (s.rtcp_port));
    ports.insert (s.rtp_port);
  }
  fail_unless_equals_int (ports.size (), 3);
}
GST_END_TEST;

GST_START_TEST (test_odd_min_starts_at_next_even)
{
  unsigned base;
  testutil::random_range (2, &base);
  std::string range = std::to_string (base + 1) + "-" + std::to_string (base + 3);
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), range);
  Allocation alloc;
  std::string error;
  fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
  fail_unless_equals_int (alloc.streams[0].rtp_port, base + 2);
  fail_unless_equals_int (alloc.candidates_in_range, 1);
}
GST_END_TEST;

GST_START_TEST (test_two_allocations_get_distinct_pairs)
{
  std::string range = testutil::random_range (4);
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), range);
  Allocation a, b;
  std::string error;
  req.start_seed = 7;  /* the same start: the second must walk past the base */
  fail_unless (allocate_ports (req, a, error), "%s", error.c_str ());
  fail_unless (allocate_ports (req, b, error), "%s", error.c_str ());
  fail_if (a.streams[0].rtp_port == b.streams[0].rtp_port);
  fail_unless (b.candidates_tried >= 2);
}
GST_END_TEST;

GST_START_TEST (test_reuse_squatter_is_stepped_over)
{
  unsigned base;
  std::string range = testutil::random_range (2, &base);
  /* A socket bound the way udpsrc binds (SO_REUSEADDR + SO_REUSEPORT). */
  int squat = testutil::bind_udp ("0.0.0.0", base, true);
  fail_unless (squat >= 0);
  auto any = any4 ();
  for (guint64 seed : {0, 1, 2, 3}) {
    AllocationRequest req = request_for (any.get (), range);
    req.start_seed = seed;
    Allocation alloc;
    std::string error;
    fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
    fail_unless_equals_int (alloc.streams[0].rtp_port, base + 2);
  }
  close (squat);
}
GST_END_TEST;

GST_START_TEST (test_exhausted_range_names_range_and_count)
{
  unsigned base;
  std::string range = testutil::random_range (3, &base);
  testutil::Squatter squatter (base, base + 5);
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), range);
  Allocation alloc;
  std::string error;
  unsigned before = testutil::open_descriptors ();
  fail_if (allocate_ports (req, alloc, error));
  fail_unless_equals_int (testutil::open_descriptors (), before);
  fail_unless (alloc.streams.empty ());
  fail_unless (error.find (range) != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("tried all 3 pairs") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_all_streams_or_nothing)
{
  unsigned base;
  std::string range = testutil::random_range (3, &base);
  int squat = testutil::bind_udp ("0.0.0.0", base + 3, true);  /* RTCP of pair 2 */
  fail_unless (squat >= 0);
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), range, 3);
  Allocation alloc;
  std::string error;
  fail_if (allocate_ports (req, alloc, error));
  fail_unless (error.find ("3 streams need 3") != std::string::npos, "%s", error.c_str ());
  /* Nothing kept: the two pairs it could bind are free again. */
  for (unsigned p : {base, base + 1, base + 4, base + 5})
    fail_unless (testutil::port_is_free (p), "port %u still held", p);
  close (squat);

  req = request_for (any.get (), range, 4);
  fail_if (allocate_ports (req, alloc, error));
  fail_unless (error.find ("holds 3 pair(s) but 4 streams") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_fixed_and_degenerate_ranges)
{
  unsigned base;
  testutil::random_range (1, &base);
  auto any = any4 ();
  std::string error;
  Allocation alloc;
  AllocationRequest req = request_for (any.get (), std::to_string (base));
  fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
  fail_unless_equals_int (alloc.streams[0].rtp_port, base);
  fail_unless_equals_int (alloc.streams[0].rtcp_port, base + 1);
  alloc = Allocation ();

  req = request_for (any.get (), std::to_string (base + 1));
  fail_if (allocate_ports (req, alloc, error));
  fail_unless (error.find ("odd port") != std::string::npos, "%s", error.c_str ());

  std::string one_port = std::to_string (base + 1) + "-" + std::to_string (base + 2);
  req = request_for (any.get (), one_port);
  fail_if (allocate_ports (req, alloc, error));
  fail_unless (error.find ("no complete even/odd port pair") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find (one_port) != std::string::npos, "%s", error.c_str ());

  /* MIN-MAX is inclusive: base-base is one port, not the pair base/base+1. */
  std::string inclusive = std::to_string (base) + "-" + std::to_string (base);
  req = request_for (any.get (), inclusive);
  fail_if (allocate_ports (req, alloc, error), "%s bound %u/%u", inclusive.c_str (),
      alloc.streams.empty () ? 0 : alloc.streams[0].rtp_port, alloc.streams.empty () ? 0 : alloc.streams[0].rtcp_port);
  fail_unless (error.find ("write " + std::to_string (base) + " for the fixed pair") != std::string::npos,
      "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_previous_pair_first)
{
  /* A restarted element asks for its previous pair first and gets it. */
  unsigned base;
  std::string range = testutil::random_range (16, &base);
  auto any = any4 ();
  std::string error;
  for (unsigned wanted : {base + 10, base + 30, base + 2}) {
    AllocationRequest req = request_for (any.get (), range);
    req.preferred_rtp_port = guint16 (wanted);
    Allocation alloc;
    fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
    fail_unless_equals_int (alloc.streams[0].rtp_port, wanted);
  }
}
GST_END_TEST;

GST_START_TEST (test_kernel_chosen_pair)
{
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), "", 2);
  Allocation alloc;
  std::string error;
  fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
  for (auto &s : alloc.streams) {
    fail_unless (s.rtp_port % 2 == 0);
    fail_unless_equals_int (s.rtcp_port, s.rtp_port + 1);
    fail_if (testutil::port_is_free (s.rtp_port));
    fail_if (testutil::port_is_free (s.rtcp_port));
  }
}
GST_END_TEST;

GST_START_TEST (test_rtcp_mux_takes_one_port)
{
  unsigned base;
  std::string range = testutil::random_range (1, &base);
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), range, 2);
  req.rtcp_mux = true;
  Allocation alloc;
  std::string error;
  fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
  std::set<unsigned> ports;
  for (auto &s : alloc.streams) {
    fail_unless_equals_int (s.rtcp_port, s.rtp_port);
    fail_unless (s.rtcp == nullptr);
    ports.insert (s.rtp_port);
  }
  fail_unless (ports == std::set<unsigned> ({base, base + 1}));
}
GST_END_TEST;

GST_START_TEST (test_release_frees_ports_and_descriptors)
{
  std::string range = testutil::random_range (4);
  auto any = any4 ();
  unsigned before = testutil::open_descriptors ();
  unsigned rtp;
  {
    AllocationRequest req = request_for (any.get (), range);
    Allocation alloc;
    std::string error;
    fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
    rtp = alloc.streams[0].rtp_port;
    fail_unless_equals_int (testutil::open_descriptors (), before + 2);
  }
  fail_unless_equals_int (testutil::open_descriptors (), before);
  fail_unless (testutil::port_is_free (rtp));
  fail_unless (testutil::port_is_free (rtp + 1));
}
GST_END_TEST;

GST_START_TEST (test_start_point_follows_pod_name)
{
  g_setenv ("POD_NAME", "analytics-7f9c-abcde", TRUE);
  guint64 a = replica_start_seed ();
  guint64 b = replica_start_seed ();
  g_setenv ("POD_NAME", "analytics-7f9c-fghij", TRUE);
  guint64 c = replica_start_seed ();
  g_unsetenv ("POD_NAME");
  fail_unless (a == b, "the same pod name must give the same start");
  fail_if (a == c);
  /* Without POD_NAME replicas spread over the range. */
  std::set<unsigned> starts;
  for (int i = 0; i < 64; i++)
    starts.insert (walk_start (replica_start_seed (), 27));
  fail_unless (starts.size () > 10, "only %zu distinct starts in 64 draws", starts.size ());
  fail_unless_equals_int (walk_start (30, 27), 3);
  fail_unless_equals_int (walk_start (5, 0), 0);
}
GST_END_TEST;

GST_START_TEST (test_ephemeral_overlap)
{
  PortRange r;
  std::string error;
  parse_port_range ("32546-32799", r, error);
  fail_unless (unreserved_ephemeral_overlap (r, "32768\t60999\n", "") == "32768-32799");
  fail_unless (unreserved_ephemeral_overlap (r, "32768\t60999\n", "32546-32799\n") == "");
  fail_unless (unreserved_ephemeral_overlap (r, "32768\t60999\n", "8080,32768-32790\n") == "32768-32799");
  parse_port_range ("32546-32599", r, error);
  fail_unless (unreserved_ephemeral_overlap (r, "32768\t60999\n", "") == "");
  parse_port_range ("", r, error);
  fail_unless (unreserved_ephemeral_overlap (r, "32768\t60999\n", "") == "");
}
GST_END_TEST;

GST_START_TEST (test_receive_buffer_is_set)
{
  auto any = any4 ();
  AllocationRequest req = request_for (any.get (), testutil::random_range (2));
  req.receive_buffer_size = 2 * 1024 * 1024;
  Allocation alloc;
  std::string error;
  fail_unless (allocate_ports (req, alloc, error), "%s", error.c_str ());
  int fd = g_socket_get_fd (alloc.streams[0].rtp.get ());
  int got = 0;
  socklen_t len = sizeof (got);
  getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
  fail_unless_equals_int (alloc.receive_buffer_granted, got / 2);
  /* As root SO_RCVBUFFORCE passes net.core.rmem_max; otherwise the kernel
   * grants up to that cap, and the allocation says so. */
  if (geteuid () == 0) {
    fail_unless (alloc.receive_buffer_granted >= req.receive_buffer_size);
  } else {
    gchar *text = nullptr;
    fail_unless (g_file_get_contents ("/proc/sys/net/core/rmem_max", &text, nullptr, nullptr));
    int rmem_max = atoi (text);
    g_free (text);
    fail_unless_equals_int (alloc.receive_buffer_granted, MIN (req.receive_buffer_size, rmem_max));
  }
}
GST_END_TEST;

GST_START_TEST (test_multicast_group_is_shared)
{
  unsigned base;
  testutil::random_range (1, &base);
  GObjectPtr<GInetAddress> group (g_inet_address_new_from_string ("239.255.42.17"));
  AllocationRequest req = request_for (group.get (), std::to_string (base));
  req.multicast_interfaces = {"lo"};
  Allocation a, b;
  std::string error;
  if (!allocate_ports (req, a, error)) {
    /* lo may lack IFF_MULTICAST here; the default interface must work. */
    fail_unless (error.find ("multicast-iface") != std::string::npos, "%s", error.c_str ());
    req.multicast_interfaces.clear ();
    if (!allocate_ports (req, a, error))
      skip_test ("no interface here joins multicast groups (%s)", error.c_str ());
  }
  fail_unless (allocate_ports (req, b, error), "%s", error.c_str ());
  fail_unless_equals_int (a.streams[0].rtp_port, base);
  fail_unless_equals_int (b.streams[0].rtp_port, base);

  req = request_for (group.get (), "");
  fail_if (allocate_ports (req, a, error));
  fail_unless (error.find ("needs port-range") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_address_not_on_host_fails_clearly)
{
  /* TEST-NET-3: never an address of this machine; nothing is sent. */
  GObjectPtr<GInetAddress> foreign (g_inet_address_new_from_string ("203.0.113.77"));
  AllocationRequest req = request_for (foreign.get (), testutil::random_range (2));
  Allocation alloc;
  std::string error;
  fail_if (allocate_ports (req, alloc, error));
  fail_unless (error.find ("203.0.113.77") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("an address of this host") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

static Suite *
port_allocator_suite (void)
{
  Suite *s = suite_create ("port-allocator");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_parse_port_range);
  tcase_add_test (tc, test_pairs_are_even_odd_and_inside_range);
  tcase_add_test (tc, test_odd_min_starts_at_next_even);
  tcase_add_test (tc, test_two_allocations_get_distinct_pairs);
  tcase_add_test (tc, test_reuse_squatter_is_stepped_over);
  tcase_add_test (tc, test_exhausted_range_names_range_and_count);
  tcase_add_test (tc, test_all_streams_or_nothing);
  tcase_add_test (tc, test_fixed_and_degenerate_ranges);
  tcase_add_test (tc, test_previous_pair_first);
  tcase_add_test (tc, test_kernel_chosen_pair);
  tcase_add_test (tc, test_rtcp_mux_takes_one_port);
  tcase_add_test (tc, test_release_frees_ports_and_descriptors);
  tcase_add_test (tc, test_start_point_follows_pod_name);
  tcase_add_test (tc, test_ephemeral_overlap);
  tcase_add_test (tc, test_receive_buffer_is_set);
  tcase_add_test (tc, test_multicast_group_is_shared);
  tcase_add_test (tc, test_address_not_on_host_fails_clearly);
  return s;
}

GST_CHECK_MAIN (port_allocator);
