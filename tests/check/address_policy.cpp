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
  if (!adv.address.empty ()) {
    fail_unless (!loopback (adv.address.c_str ()), "advertised %s", adv.address.c_str ());
    fail_unless (adv.address == detect_host_address ());
  }

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
  tcase_add_test (tc, test_advertise_follows_specific_bind);
  return s;
}

GST_CHECK_MAIN (address_policy);
