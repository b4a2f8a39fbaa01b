/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — silence on a stream. See stream-watch.h. */
#include "stream-watch.h"

#include <algorithm>

namespace hostnetrtp {

void StreamWatch::start (size_t n_streams, gint64 now_us)
{
  started_us_ = now_us;
  states_.assign (n_streams, State ());
}

std::vector<WatchEvent> StreamWatch::tick (gint64 now_us,
    const std::vector<gint64> &last_packet_us, gint64 timeout_us)
{
  std::vector<WatchEvent> events;
  const size_t n = std::min (states_.size (), last_packet_us.size ());
  gint64 first_delivery = 0;  /* when the earliest stream delivered its first packet */
  for (size_t i = 0; i < n; i++) {
    State &s = states_[i];
    if (last_packet_us[i] && !s.first_packet_us)
      s.first_packet_us = last_packet_us[i];
    if (s.first_packet_us && (!first_delivery || s.first_packet_us < first_delivery))
      first_delivery = s.first_packet_us;
  }
  for (size_t i = 0; i < n; i++) {
    State &s = states_[i];
    const gint64 last = std::max (last_packet_us[i], started_us_);
    if (s.silent && last_packet_us[i] != s.packet_at_silence) {
      s.silent = false;
      events.push_back ({WatchEvent::Resumed, guint (i), last_packet_us[i] - s.silent_since_us});
    } else if (!s.silent && timeout_us > 0 && now_us - last >= timeout_us) {
      s.silent = true;
      s.silent_since_us = last;
      s.packet_at_silence = last_packet_us[i];
      events.push_back ({WatchEvent::Silent, guint (i), now_us - last});
    }
    if (!s.first_packet_us && !s.gap_sent && first_delivery &&
        now_us - first_delivery >= kIdleStreamGrace) {
      s.gap_sent = true;
      events.push_back ({WatchEvent::IdleGap, guint (i), now_us - started_us_});
    }
  }
  return events;
}

}  // namespace hostnetrtp
