#include "speechleak/util/interrupt.h"

#include <atomic>
#include <csignal>
#include <string>

namespace speechleak {
namespace {
// Lock-free, so that setting it from a signal handler is safe.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
}  // namespace

Interrupted::Interrupted(int signal)
    : Error(std::string("interrupted by ") + signal_name(signal)), signal_(signal) {}

void request_interrupt(int signal) noexcept { g_signal.store(signal, std::memory_order_relaxed); }

int interrupt_requested() noexcept { return g_signal.load(std::memory_order_relaxed); }

void throw_if_interrupted() {
  if (const int s = interrupt_requested()) throw Interrupted(s);
}

void clear_interrupt() noexcept { g_signal.store(0, std::memory_order_relaxed); }

const char* signal_name(int signal) noexcept {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGKILL: return "SIGKILL";  // the ones a crashed or killed child process reports (speechleak launch)
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGPIPE: return "SIGPIPE";
    default: return "a signal";
  }
}

}  // namespace speechleak
