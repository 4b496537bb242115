#include "speechleak/features/decode_queue.h"

#include <exception>

#include "speechleak/audio/audio_error.h"
#include "speechleak/audio/audio_io.h"

namespace speechleak::features {

DecodeQueue::DecodeQueue(std::vector<const corpus::Utterance*> items, corpus::AudioPolicy policy, int threads,
                         int lookahead)
    : items_(std::move(items)), policy_(std::move(policy)), lookahead_(static_cast<size_t>(std::max(1, lookahead))) {
  for (int t = 0; t < std::max(1, threads); ++t) workers_.emplace_back([this] { work(); });
}

DecodeQueue::~DecodeQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  room_.notify_all();
  for (auto& w : workers_) w.join();
}

void DecodeQueue::work() {
  while (true) {
    size_t i;
    {
      std::unique_lock lock(mutex_);
      room_.wait(lock, [&] { return stopping_ || next_to_claim_ < next_to_hand_out_ + lookahead_; });
      if (stopping_ || next_to_claim_ >= items_.size()) return;
      i = next_to_claim_++;
    }
    Decoded d;
    d.utterance = items_[i];
    try {
      d.audio = corpus::load_utterance_audio(*items_[i], audio::ReadOptions{}, policy_);
    } catch (const audio::AudioError& e) {
      // The file is recorded separately (SkippedItem::where); the reason starts with the problem's kind so that
      // summaries group by it ("3 skipped (2 too short, 1 unreadable)").
      std::string msg = e.what();
      const std::string prefix = e.source() + ": ";
      d.error = msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
    } catch (const std::exception& e) {
      d.error = e.what();
    }
    {
      std::lock_guard lock(mutex_);
      done_.emplace(i, std::move(d));
    }
    ready_.notify_all();
  }
}

std::optional<Decoded> DecodeQueue::next() {
  std::unique_lock lock(mutex_);
  if (next_to_hand_out_ >= items_.size()) return std::nullopt;
  ready_.wait(lock, [&] { return done_.count(next_to_hand_out_) > 0; });
  auto node = done_.extract(next_to_hand_out_++);
  lock.unlock();
  room_.notify_all();
  return std::move(node.mapped());
}

}  // namespace speechleak::features

namespace speechleak::features {

bool DecodeQueue::exhausted() {
  std::lock_guard lock(mutex_);
  return next_to_hand_out_ >= items_.size();
}

size_t DecodeQueue::next_window(size_t n, std::vector<Decoded>& decoded,
                                const std::function<void(const Decoded&)>& failed) {
  size_t taken = 0;
  for (; taken < n; ++taken) {
    auto d = next();
    if (!d) break;
    if (!d->error.empty()) failed(*d);
    else decoded.push_back(std::move(*d));
  }
  return taken;
}

}  // namespace speechleak::features
