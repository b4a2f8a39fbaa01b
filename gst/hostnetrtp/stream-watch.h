/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — silence on a stream, told as events.
 *
 * Decides from each stream's last-packet time when to tell the application
 * that a stream went silent (`timeout`) and that it is back, and when a
 * stream that has never sent should be started with a GAP event so that it
 * does not hold back the streams that do (a camera declared with audio that
 * never sends any must not keep async sinks, and so the pipeline, from
 * reaching PLAYING). Pure logic over monotonic times: no elements. */
#pragma once

#include <glib.h>

#include <vector>

namespace hostnetrtp {

/* How long a stream may stay without its first packet, once another stream
 * of the element delivers, before it is started with a GAP. */
constexpr gint64 kIdleStreamGrace = G_USEC_PER_SEC;

struct WatchEvent {
  enum Kind { Silent, Resumed, IdleGap } kind;
  guint index;
  gint64 silent_for_us;  /* Silent: so far; Resumed: in all */
};

class StreamWatch {
 public:
  /* Starts watching @n_streams at @now_us (the element reached PLAYING). */
  void start (size_t n_streams, gint64 now_us);

  /* @last_packet_us[i]: monotonic time of stream i's last packet, 0 if none.
   * @timeout_us: silence worth a message, 0 for none. */
  std::vector<WatchEvent> tick (gint64 now_us, const std::vector<gint64> &last_packet_us,
      gint64 timeout_us);

 private:
  struct State {
    bool silent = false;
    gint64 silent_since_us = 0;   /* the last packet before the silence, or the start */
    gint64 packet_at_silence = 0; /* last_packet_us when the silence was told */
    gint64 first_packet_us = 0;
    bool gap_sent = false;
  };
  gint64 started_us_ = 0;
  std::vector<State> states_;
};

}  // namespace hostnetrtp
