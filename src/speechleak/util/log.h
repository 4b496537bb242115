#pragma once
// The library never prints. It hands messages to a sink that the program installs (the CLI writes them to
// stderr; tests may collect them). The default sink drops Debug and writes nothing at all.
#include <functional>
#include <string>
#include <string_view>

namespace speechleak {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

using LogSink = std::function<void(LogLevel, std::string_view)>;

// Installs a process-wide sink (thread-safe); returns the previous one. An empty sink discards messages.
LogSink set_log_sink(LogSink sink);

// Sends one message to the sink. Safe to call from worker threads: calls into the sink are serialised.
void log(LogLevel level, std::string_view message);

inline void log_debug(std::string_view m) { log(LogLevel::Debug, m); }
inline void log_info(std::string_view m) { log(LogLevel::Info, m); }
inline void log_warn(std::string_view m) { log(LogLevel::Warn, m); }

std::string_view to_string(LogLevel level);

}  // namespace speechleak
