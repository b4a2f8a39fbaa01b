/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — address policy suite: no pipeline, no traffic. */
#include <gst/check/gstcheck.h>

#include "address-policy.h"

using namespace hostnetrtp;

static bool loopback (const char *text)
{
  GObjectPtr<GInetAddress> a (g_inet_address_new_from_string (text));
  fail_unless (a != nullptr, "%s does not parse", text);
  return is_loopback (a.get ());
}

static std::string text_of (GInetAddress *a)
{
  GCharPtr s (g_inet_address_to_string (a));
  return s.get ();
}

/* What detection should find, worked out with iproute2 rather than with the
 * code under test: the IPv4 address of the default route's interface, else
 * the first non-loopback IPv4 address. */
static std::string expected_host_address ()
{
  auto run = [] (const std::string &command) {
    gchar *out = nullptr;
    g_spawn_command_line_sync (command.c_str (), &out, nullptr, nullptr, nullptr);
    std::string text = out ? out : "";
    g_free (out);
    return text;
  };
  std::string route = run ("ip -4 route show default");
  std::string iface;
  auto dev = route.find (" dev ");
  if (dev != std::string::npos)
    iface = route.substr (dev + 5, route.find_first_of (" \n", dev + 5) - dev - 5);
  for (const std::string &where : {iface.empty () ? std::string () : " dev " + iface, std::string ()}) {
    std::string lines = run ("ip -4 -o addr show" + where);
    size_t at = 0;
    while ((at = lines.find (" inet ", at)) != std::string::npos) {
      size_t line_start = lines.rfind ('\n', at);
      std::string line = lines.substr (line_start == std::string::npos ? 0 : line_start + 1,
          at - (line_start == std::string::npos ? 0 : line_start + 1));
      std::string address = lines.substr (at + 6, lines.find ('/', at) - at - 6);
      at += 6;
      if (line.find (" lo ") == std::string::npos && address.rfind ("127.", 0) != 0)
        return address;
    }
  }
  return "";
}

static void clear_environment ()
{
  for (const char *var : {"HOSTNETRTP_ADVERTISE_ADDRESS", "HOST_IP", "POD_IP"})
    g_unsetenv (var);
}

GST_START_TEST (test_loopback_detection)
{
  fail_unless (loopback ("127.0.0.1"));
  fail_unless (loopback ("127.42.0.9"));
  fail_unless (loopback ("::1"));
  fail_unless (loopback ("::ffff:127.0.0.1"));
  fail_if (loopback ("0.0.0.0"));
  fail_if (loopback ("::"));
  fail_if (loopback ("10.1.2.3"));
  fail_if (loopback ("::ffff:10.1.2.3"));
  fail_if (loopback ("128.0.0.1"));
  fail_if (loopback ("239.1.1.1"));
}
GST_END_TEST;

GST_START_TEST (test_rewrite_policy)
{
  struct { const char *in; const char *out; } cases[] = {
    {"127.0.0.1", "0.0.0.0"}, {"127.9.9.9", "0.0.0.0"}, {"::1", "::"},
    {"::ffff:127.0.0.1", "::"}, {"localhost", nullptr},
  };
  for (auto &c : cases) {
    BindAddress bind;
    std::string error;
    fail_unless (resolve_bind_address (c.in, LoopbackPolicy::Rewrite, bind, error), "%s", error.c_str ());
    fail_unless (bind.rewritten, "%s not rewritten", c.in);
    fail_unless (is_wildcard (bind.address.get ()));
    if (c.out)
      fail_unless (text_of (bind.address.get ()) == c.out, "%s became %s", c.in,
          text_of (bind.address.get ()).c_str ());
    fail_unless (bind.warning.find (c.in) != std::string::npos, "%s", bind.warning.c_str ());
    fail_unless (bind.warning.find ("loopback-policy") != std::string::npos);
  }
}
GST_END_TEST;

GST_START_TEST (test_error_and_allow_policies)
{
  BindAddress bind;
  std::string error;
  fail_if (resolve_bind_address ("127.0.0.1", LoopbackPolicy::Error, bind, error));
  fail_unless (error.find ("'127.0.0.1'") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("loopback") != std::string::npos);
  fail_unless (bind.address == nullptr);
  error.clear ();
  fail_if (resolve_bind_address ("localhost", LoopbackPolicy::Error, bind, error));
  fail_unless (error.find ("'localhost'") != std::string::npos, "%s", error.c_str ());

  fail_unless (resolve_bind_address ("127.0.0.1", LoopbackPolicy::Allow, bind, error));
  fail_unless (text_of (bind.address.get ()) == "127.0.0.1");
  fail_if (bind.rewritten);
  fail_unless (bind.warning.empty ());
}
GST_END_TEST;

GST_START_TEST (test_plain_addresses_pass)
{
  BindAddress bind;
  std::string error;
  fail_unless (resolve_bind_address ("", LoopbackPolicy::Error, bind, error));
  fail_unless (text_of (bind.address.get ()) == "0.0.0.0");
  fail_unless (resolve_bind_address ("::", LoopbackPolicy::Error, bind, error));
  fail_unless (text_of (bind.address.get ()) == "::");
  fail_unless (resolve_bind_address ("239.1.2.3", LoopbackPolicy::Error, bind, error));
  fail_unless (g_inet_address_get_is_multicast (bind.address.get ()));
  fail_if (bind.rewritten);
}
GST_END_TEST;

GST_START_TEST (test_unresolvable_address)
{
  BindAddress bind;
  std::string error;
  fail_if (resolve_bind_address ("no such host.invalid", LoopbackPolicy::Rewrite, bind, error));
  fail_unless (error.find ("'no such host.invalid'") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("neither an IP address nor a host name") != std::string::npos);
}
GST_END_TEST;

GST_START_TEST (test_advertise_never_loopback)
{
  clear_environment ();
  GObjectPtr<GInetAddress> any (g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
  AdvertiseAddress adv;
  std::string error;
  fail_unless (choose_advertise_address ("", any.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.source == "detected");
  const std::string expected = expected_host_address ();
  fail_unless (adv.address == expected, "detected '%s', iproute2 says '%s'", adv.address.c_str (),
      expected.c_str ());
  if (expected.empty ())
    fail_unless (adv.warning.find ("set advertise-address") != std::string::npos, "%s", adv.warning.c_str ());
  else
    fail_unless (!loopback (adv.address.c_str ()), "advertised %s", adv.address.c_str ());

  /* Loopback values in the environment are skipped. */
  g_setenv ("HOSTNETRTP_ADVERTISE_ADDRESS", "127.0.0.1", TRUE);
  g_setenv ("HOST_IP", "198.51.100.20", TRUE);
  g_setenv ("POD_IP", "198.51.100.30", TRUE);
  fail_unless (choose_advertise_address ("", any.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "198.51.100.20", "%s", adv.address.c_str ());
  fail_unless (adv.source == "$HOST_IP");
  g_setenv ("HOSTNETRTP_ADVERTISE_ADDRESS", "198.51.100.10", TRUE);
  fail_unless (choose_advertise_address ("", any.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "198.51.100.10");

  /* A configured address wins; a configured loopback one follows the policy. */
  fail_unless (choose_advertise_address ("198.51.100.99", any.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "198.51.100.99");
  fail_unless (choose_advertise_address ("127.0.0.1", any.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "198.51.100.10");
  fail_unless (adv.warning.find ("advertise-address '127.0.0.1'") != std::string::npos, "%s", adv.warning.c_str ());
  fail_if (choose_advertise_address ("127.0.0.1", any.get (), LoopbackPolicy::Error, adv, error));
  fail_unless (error.find ("advertise-address '127.0.0.1'") != std::string::npos, "%s", error.c_str ());
  fail_unless (choose_advertise_address ("127.0.0.1", any.get (), LoopbackPolicy::Allow, adv, error));
  fail_unless (adv.address == "127.0.0.1");
  fail_if (choose_advertise_address ("not-an-ip", any.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (error.find ("'not-an-ip'") != std::string::npos, "%s", error.c_str ());
  clear_environment ();
}
GST_END_TEST;

GST_START_TEST (test_advertise_family_follows_the_bind)
{
  clear_environment ();
  GObjectPtr<GInetAddress> any4 (g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
  GObjectPtr<GInetAddress> any6 (g_inet_address_new_any (G_SOCKET_FAMILY_IPV6));
  GObjectPtr<GInetAddress> host6 (g_inet_address_new_from_string ("2001:db8::1"));
  AdvertiseAddress adv;
  std::string error;
  /* An IPv4 bind cannot receive IPv6: $HOST_IP=IPv6 is passed over, named. */
  g_setenv ("HOST_IP", "2001:db8::5", TRUE);
  g_setenv ("POD_IP", "198.51.100.30", TRUE);
  fail_unless (choose_advertise_address ("", any4.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "198.51.100.30", "%s", adv.address.c_str ());
  fail_unless (adv.warning.find ("$HOST_IP='2001:db8::5' cannot be received on 0.0.0.0 (IPv4 only)") !=
      std::string::npos, "%s", adv.warning.c_str ());
  /* :: is dual-stack: both families are fine. */
  fail_unless (choose_advertise_address ("", any6.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "2001:db8::5", "%s", adv.address.c_str ());
  fail_unless (adv.warning.empty (), "%s", adv.warning.c_str ());
  /* A configured address of the wrong family is an error. */
  fail_if (choose_advertise_address ("2001:db8::9", any4.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (error.find ("receives IPv4 only") != std::string::npos, "%s", error.c_str ());
  fail_if (choose_advertise_address ("198.51.100.9", host6.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (error.find ("receives IPv6 only") != std::string::npos, "%s", error.c_str ());
  fail_unless (choose_advertise_address ("198.51.100.9", any6.get (), LoopbackPolicy::Rewrite, adv, error));
  /* Garbage is named too. */
  g_setenv ("HOST_IP", "not-an-address", TRUE);
  fail_unless (choose_advertise_address ("", any4.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.warning.find ("$HOST_IP='not-an-address' is not an IP address") != std::string::npos,
      "%s", adv.warning.c_str ());
  fail_unless (adv.warning.find ("Advertising 198.51.100.30 ($POD_IP) instead") != std::string::npos,
      "%s", adv.warning.c_str ());
  clear_environment ();
}
GST_END_TEST;

GST_START_TEST (test_advertise_follows_specific_bind)
{
  clear_environment ();
  GObjectPtr<GInetAddress> group (g_inet_address_new_from_string ("239.7.7.7"));
  AdvertiseAddress adv;
  std::string error;
  fail_unless (choose_advertise_address ("", group.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_unless (adv.address == "239.7.7.7");
  GObjectPtr<GInetAddress> lo (g_inet_address_new_from_string ("127.0.0.1"));
  fail_unless (choose_advertise_address ("", lo.get (), LoopbackPolicy::Allow, adv, error));
  fail_unless (adv.address == "127.0.0.1");
  fail_unless (choose_advertise_address ("", lo.get (), LoopbackPolicy::Rewrite, adv, error));
  fail_if (adv.address == "127.0.0.1");
}
GST_END_TEST;

static Suite *
address_policy_suite (void)
{
  Suite *s = suite_create ("address-policy");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_loopback_detection);
  tcase_add_test (tc, test_rewrite_policy);
  tcase_add_test (tc, test_error_and_allow_policies);
  tcase_add_test (tc, test_plain_addresses_pass);
  tcase_add_test (tc, test_unresolvable_address);
  tcase_add_test (tc, test_advertise_never_loopback);
  tcase_add_test (tc, test_advertise_family_follows_the_bind);
  tcase_add_test (tc, test_advertise_follows_specific_bind);
  return s;
}

GST_CHECK_MAIN (address_policy);
