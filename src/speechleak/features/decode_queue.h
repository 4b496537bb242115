#pragma once
// Decodes utterances in worker threads and hands them out in corpus order (a reorder buffer), never running
// more than `lookahead` utterances ahead of the consumer, so memory stays bounded whatever the corpus size.
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "speechleak/audio/audio.h"
#include "speechleak/corpus/corpus.h"
#include "speechleak/corpus/utterance_audio.h"

namespace speechleak::features {

struct Decoded {
  const corpus::Utterance* utterance = nullptr;
  audio::Audio audio;  // empty when decoding failed
  std::string error;   // the reason, when it failed
};

class DecodeQueue {
 public:
  DecodeQueue(std::vector<const corpus::Utterance*> items, corpus::AudioPolicy policy, int threads, int lookahead);
  ~DecodeQueue();
  DecodeQueue(const DecodeQueue&) = delete;
  DecodeQueue& operator=(const DecodeQueue&) = delete;
  // The next utterance in order; nullopt when all were handed out.
  std::optional<Decoded> next();
  // All utterances were handed out.
  bool exhausted();
  // The next up to `n` utterances in order, decoded ones first in `decoded` and failed ones (error set) handed to
  // `failed`; returns how many were taken (0 when exhausted). The windowed consumers' loop (transcription, the
  // noise-masking attack) in one place.
  size_t next_window(size_t n, std::vector<Decoded>& decoded, const std::function<void(const Decoded&)>& failed);

 private:
  void work();
  std::vector<const corpus::Utterance*> items_;
  corpus::AudioPolicy policy_;
  size_t lookahead_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::map<size_t, Decoded> done_;
  size_t next_to_claim_ = 0, next_to_hand_out_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace speechleak::features
