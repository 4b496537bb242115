#pragma once
// The character vocabulary of a CTC recogniser, in Hugging Face's vocab.json form ({"token": id, ...}, ids 0..V-1).
//
// speechleak's own vocabulary (characters()): [PAD] (the CTC blank, HF's pad_token), [UNK], "|" (the word
// delimiter), the apostrophe and A-Z. Downloaded checkpoints spell the specials <pad>, <s>, </s>, <unk> (e.g.
// facebook/wav2vec2-base-960h); both spellings are recognised. Transcripts become label sequences through the one
// word normaliser (corpus/words.h): normalised words joined by "|", one label per character. Torch-free.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace speechleak::asr {

// What encode() does with a character the vocabulary lacks.
enum class OovPolicy { Unk, Skip };  // map it to [UNK] (an error when there is none), or drop it
OovPolicy parse_oov_policy(const std::string& name);  // "unk" | "skip"

struct EncodedText {
  std::vector<int64_t> ids;
  size_t unknown_characters = 0;  // characters outside the vocabulary (mapped or dropped per OovPolicy)
};

class Vocabulary {
 public:
  // [PAD] [UNK] | ' A..Z: 30 tokens, blank 0.
  static Vocabulary characters();
  // Validates: ids 0..V-1, each once; a blank ([PAD] or <pad>) present. FormatError naming `source` otherwise.
  static Vocabulary from_json(const nlohmann::json& vocab, const std::string& source);
  static Vocabulary load(const std::filesystem::path& vocab_json);
  nlohmann::json to_json() const;  // {"token": id}

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t blank() const { return blank_; }
  int64_t unk() const { return unk_; }              // -1 when there is none
  int64_t delimiter() const { return delimiter_; }  // "|", -1 when there is none
  const std::string& token(int64_t id) const;
  int64_t id_of(std::string_view token) const;      // -1 when absent
  // The special tokens written to special_tokens_map.json / tokenizer_config.json ("[PAD]" or "<pad>", ...).
  const std::string& pad_token() const { return tokens_[blank_]; }

  // A transcript as labels: normalised words joined by the delimiter (a space when there is no delimiter token).
  EncodedText encode(std::string_view transcript, OovPolicy oov = OovPolicy::Unk) const;
  // Labels back to text: blanks and special tokens (<s>, </s>, [UNK]...) dropped, the delimiter -> a space,
  // spaces collapsed and trimmed.
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  void index();
  std::vector<std::string> tokens_;
  int64_t blank_ = 0, unk_ = -1, delimiter_ = -1;
};

}  // namespace speechleak::asr
