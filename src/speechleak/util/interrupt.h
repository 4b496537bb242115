#pragma once
// Cooperative interruption. The program turns SIGINT and SIGTERM into a request (request_interrupt is
// async-signal-safe); long loops notice it through their progress callback (the CLI's throws Interrupted) and stop
// at a point their on-disk state can be resumed from: the trainer saves a checkpoint first, extraction and
// synthesis keep every finished utterance.
#include "speechleak/util/error.h"

namespace speechleak {

class Interrupted : public Error {
 public:
  explicit Interrupted(int signal);
  int signal() const { return signal_; }

 private:
  int signal_;
};

void request_interrupt(int signal) noexcept;
// The signal that asked to stop (SIGINT, SIGTERM, ...), or 0 when none did.
int interrupt_requested() noexcept;
// Throws Interrupted when a stop was requested.
void throw_if_interrupted();
// Forgets a request (tests).
void clear_interrupt() noexcept;
// "SIGINT", "SIGTERM", "SIGKILL", ... (the common ones), or "a signal".
const char* signal_name(int signal) noexcept;

}  // namespace speechleak
