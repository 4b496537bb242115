// The bad-input catalogue (docs/reliability.md): broken checkpoints, corpora, alignments, audio, feature stores,
// command-line arguments and configs, each given to the command a user would run. Every case asserts the exit
// status, that the message names the file or argument and the problem, and that no output that looks complete
// was left behind. A corpus loop that meets one broken item skips and counts it (exit 0, the item named).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "cli/cli_test_util.h"
#include "speechleak/util/file_io.h"
#include "speechleak/util/text.h"
#include "support/test_support.h"

namespace speechleak {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::kCli;
using testing::write_text;

const fs::path kSource = SPEECHLEAK_SOURCE_DIR;
const fs::path kHubert = kSource / "tests/fixtures/encoder/a_hubert_group";
const fs::path kCtc = kSource / "tests/fixtures/encoder/d_w2v2_ctc";
const fs::path kTera = kSource / "tests/fixtures/encoder/g_tera";

struct Case {
  std::string name;  // the test's name and its row in docs/reliability.md
  std::string area;  // checkpoint, corpus, alignment, audio, store, argument, config
  // Writes the broken input under `dir`; returns the arguments of the command that meets it.
  std::function<std::string(const fs::path& dir)> make;
  int status;                      // expected exit status
  std::vector<std::string> says;   // in the output; "{dir}" stands for the case's directory
  std::vector<std::string> absent = {};  // paths under dir that must not exist afterwards
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

void copy_dir(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

json read_json(const fs::path& p) { return json::parse(read_text_file(p)); }
void write_json(const fs::path& p, const json& j) { write_text(p, j.dump(2)); }

// A copy of the HuBERT fixture (or `fixture`) with its config.json edited by `edit`.
fs::path model_with_config(const fs::path& dir, const std::function<void(json&)>& edit,
                           const fs::path& fixture = kHubert) {
  copy_dir(fixture, dir / "model");
  auto config = read_json(dir / "model/config.json");
  edit(config);
  write_json(dir / "model/config.json", config);
  return dir / "model";
}

// The bytes of `file` with the first occurrence of `from` replaced by `to`.
void replace_bytes(const fs::path& file, const std::string& from, const std::string& to) {
  auto bytes = read_text_file(file);
  const auto at = bytes.find(from);
  if (at == std::string::npos) throw std::runtime_error("replace_bytes: '" + from + "' not in " + file.string());
  bytes.replace(at, from.size(), to);
  write_text(file, bytes);
}

// A LibriSpeech tree of tone utterances (ids S-3-100U; test_support.h).
fs::path librispeech(const fs::path& root, const std::string& subset = "s", int first_speaker = 1, int speakers = 2,
                     int utts = 3) {
  return testing::write_tone_librispeech(root, subset, first_speaker, speakers, utts);
}

std::string ls_spec(const fs::path& root, const std::string& subset = "s", const std::string& query = "") {
  return q("librispeech:" + root.string() + ":" + subset + query);
}

// Extraction of a good corpus with the given first utterance file replaced by `bytes`: the broken file is skipped.
std::string extract_with_audio(const fs::path& dir, const std::string& bytes) {
  const auto root = librispeech(dir / "LS");
  write_text(root / "s/1/3/1-3-1000.flac", bytes);
  return "extract --threads 1 --model " + q(kHubert) + " --corpus " + ls_spec(root) + " --out " + q(dir / "store");
}

// Three stores (members m, non-members n, aux a) of the fixture model.
std::string audit_of_stores(const fs::path& dir, const std::function<void(const fs::path& stores)>& damage) {
  const auto root = dir / "LS";
  librispeech(root, "m", 1), librispeech(root, "n", 3), librispeech(root, "a", 5);
  for (const char* s : {"m", "n", "a"}) {
    std::string out;
    if (testing::run_command(kCli + " -q extract --threads 1 --model " + q(kHubert) + " --corpus " + ls_spec(root, s) +
                                 " --out " + q(dir / "stores" / s),
                             &out) != 0)
      throw std::runtime_error("extract failed: " + out);
  }
  damage(dir / "stores");
  return "audit --members " + q(dir / "stores/m") + " --nonmembers " + q(dir / "stores/n") + " --aux " +
         q(dir / "stores/a") + " --attack basic --bootstrap 0 --out " + q(dir / "run");
}

std::vector<Case> checkpoint_cases() {
  return {
      {"ModelPathMissing", "checkpoint", [](const fs::path& d) { return "model info " + q(d / "nothing"); }, 1,
       {"{dir}/nothing", "no such file"}},
      {"ConfigJsonMissing", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kHubert, d / "model");
         fs::remove(d / "model/config.json");
         return "model info " + q(d / "model");
       },
       1, {"{dir}/model", "config.json"}},
      {"ConfigJsonNotJson", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kHubert, d / "model");
         write_text(d / "model/config.json", "{\"model_type\": \"hubert\", \"hidden_size\": 3");
         return "model info " + q(d / "model");
       },
       1, {"{dir}/model/config.json", "JSON"}},
      {"ConfigHeadsDoNotDivideWidth", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) { c["num_attention_heads"] = 3; }));
       },
       1, {"config.json", "num_attention_heads", "3"}},
      {"ConfigConvListsOfUnequalLength", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) { c["conv_kernel"] = {10, 3}; }));
       },
       1, {"config.json", "conv_kernel"}},
      {"ConfigUnknownModelType", "checkpoint",
       [](const fs::path& d) { return "model info " + q(model_with_config(d, [](json& c) { c["model_type"] = "bert"; })); },
       1, {"config.json", "model_type", "bert"}},
      {"ConfigWidthDisagreesWithWeights", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) { c["intermediate_size"] = 48; }));
       },
       1, {"model.safetensors", "shape", "48"}},
      {"SafetensorsMissing", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kHubert, d / "model");
         fs::remove(d / "model/model.safetensors");
         return "model info " + q(d / "model");
       },
       1, {"{dir}/model", "model.safetensors"}},
      {"SafetensorsTruncated", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kHubert, d / "model");
         const auto bytes = read_text_file(d / "model/model.safetensors");
         write_text(d / "model/model.safetensors", bytes.substr(0, bytes.size() / 2));
         return "model info " + q(d / "model");
       },
       1, {"{dir}/model/model.safetensors", "offsets"}},
      {"SafetensorsHeaderLengthPastTheEnd", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kHubert, d / "model");
         auto bytes = read_text_file(d / "model/model.safetensors");
         bytes[5] = '\x7f';  // the 8-byte little-endian header length becomes huge
         write_text(d / "model/model.safetensors", bytes);
         return "model info " + q(d / "model");
       },
       1, {"{dir}/model/model.safetensors", "header"}},
      {"SafetensorsTensorMissing", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kHubert, d / "model");
         replace_bytes(d / "model/model.safetensors", "encoder.layer_norm.weight", "encoder.layer_norm.weighx");
         return "model info " + q(d / "model");
       },
       1, {"model.safetensors", "encoder.layer_norm.weight"}},
      {"TorchScriptNotAnArchive", "checkpoint",
       [](const fs::path& d) {
         write_text(d / "model.pt", "this is not a TorchScript archive\n");
         return "model info " + q(d / "model.pt");
       },
       1, {"{dir}/model.pt"}},
      {"Data2VecRefusedByName", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) { c["model_type"] = "data2vec-audio"; }));
       },
       1, {"config.json", "data2vec-audio", "supported: wav2vec2, hubert, wavlm"}},
      {"WavLMConfigOnAnotherFamilysWeights", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) { c["model_type"] = "wavlm"; }));
       },
       1, {"model.safetensors", "missing tensors", "wavlm", "rel_attn_embed"}},
      {"WavLMBucketsInconsistent", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) {
                  c["model_type"] = "wavlm", c["num_buckets"] = 320, c["max_bucket_distance"] = 50;
                }));
       },
       1, {"config.json", "max_bucket_distance", "50"}},
      {"TeraMelSettingMissing", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) { c["mel"].erase("hop_length"); }, kTera));
       },
       1, {"config.json", "mel.hop_length", "missing"}},
      {"TeraConfigOnHubertWeights", "checkpoint",
       [](const fs::path& d) {
         return "model info " + q(model_with_config(d, [](json& c) {
                  c["model_type"] = "tera";
                  c["mel"] = read_json(kTera / "config.json")["mel"];
                }));
       },
       1, {"model.safetensors", "convolutional front end", "model_type \"tera\"", "different model families"}},
      {"CtcModelWithoutVocab", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kCtc, d / "asr");
         fs::remove(d / "asr/vocab.json");
         librispeech(d / "LS");
         return "transcribe --model " + q(d / "asr") + " --corpus " + ls_spec(d / "LS") + " --out " + q(d / "hyp.tsv");
       },
       1, {"vocab.json"}, {"hyp.tsv"}},
      {"CtcVocabSmallerThanHead", "checkpoint",
       [](const fs::path& d) {
         copy_dir(kCtc, d / "asr");
         write_text(d / "asr/vocab.json", "{\"<pad>\": 0, \"|\": 1, \"A\": 2}");
         librispeech(d / "LS");
         return "transcribe --model " + q(d / "asr") + " --corpus " + ls_spec(d / "LS") + " --out " + q(d / "hyp.tsv");
       },
       1, {"vocab.json"}, {"hyp.tsv"}},
  };
}

std::vector<Case> corpus_cases() {
  return {
      {"CorpusSpecUnknownFormat", "corpus", [](const fs::path& d) { return "corpus stats " + q("timit:" + d.string()); },
       1, {"corpus format", "timit", "librispeech"}},
      {"CorpusSpecUnknownKey", "corpus",
       [](const fs::path& d) { return "corpus stats " + ls_spec(librispeech(d / "LS"), "s", "?mics=2"); }, 1,
       {"mics", "max_speakers"}},
      {"CorpusSpecKeyOfAnotherFormat", "corpus",
       [](const fs::path& d) { return "corpus stats " + ls_spec(librispeech(d / "LS"), "s", "?mic=mic2"); }, 1,
       {"mic", "vctk"}},
      {"LibriSpeechRootMissing", "corpus", [](const fs::path& d) { return "corpus stats " + ls_spec(d / "nowhere"); },
       1, {"{dir}/nowhere"}},
      {"LibriSpeechSubsetMissing", "corpus",
       [](const fs::path& d) { return "corpus stats " + ls_spec(librispeech(d / "LS"), "train-clean-100"); }, 1,
       {"train-clean-100"}},
      {"LibriSpeechTranscriptLineWithoutText", "corpus",
       [](const fs::path& d) {
         const auto root = librispeech(d / "LS");
         write_text(root / "s/1/3/1-3.trans.txt", "1-3-1000\n1-3-1001 W\n1-3-1002 W\n");
         return "corpus stats --no-durations " + ls_spec(root);
       },
       0, {"1-3.trans.txt:1", "malformed transcript line", "6 of 7 utterances read"}},
      {"LibriSpeechTranscriptMissing", "corpus",
       [](const fs::path& d) {
         const auto root = librispeech(d / "LS");
         fs::remove(root / "s/2/3/2-3.trans.txt");
         return "corpus stats --no-durations " + ls_spec(root, "s", "?require_transcript=1");
       },
       0, {"2-3", "transcript"}},
      {"KaldiWavScpMissing", "corpus",
       [](const fs::path& d) {
         write_text(d / "data/utt2spk", "u1 s1\n");
         return "corpus stats " + q("kaldi:" + (d / "data").string());
       },
       1, {"{dir}/data/wav.scp"}},
      {"KaldiUtt2spkLineWithOneField", "corpus",
       [](const fs::path& d) {
         testing::write_tone(d / "a.wav", 1.0);
         write_text(d / "data/wav.scp", "u1 " + (d / "a.wav").string() + "\n");
         write_text(d / "data/utt2spk", "u1\n");
         return "corpus stats " + q("kaldi:" + (d / "data").string());
       },
       1, {"{dir}/data/utt2spk", "line 1"}},
      {"KaldiSegmentsOfAnUnknownRecording", "corpus",
       [](const fs::path& d) {
         testing::write_tone(d / "a.wav", 2.0);
         write_text(d / "data/wav.scp", "r1 " + (d / "a.wav").string() + "\n");
         write_text(d / "data/segments", "u1 r1 0.0 1.0\nu2 r9 0.0 1.0\n");
         write_text(d / "data/utt2spk", "u1 s1\nu2 s1\n");
         return "corpus stats --no-durations " + q("kaldi:" + (d / "data").string());
       },
       0, {"u2", "r9", "1 of 2"}},
      {"KaldiPipedWavScpNotAllowed", "corpus",
       [](const fs::path& d) {
         write_text(d / "data/wav.scp", "u1 sox a.wav -t wav - |\n");
         write_text(d / "data/utt2spk", "u1 s1\n");
         return "corpus stats --no-durations " + q("kaldi:" + (d / "data").string());
       },
       1, {"no readable utterances", "u1 ({dir}/data/utt2spk:1): piped wav.scp entry refused: pass allow_commands"}},
      {"FairseqManifestBadSampleCount", "corpus",
       [](const fs::path& d) {
         testing::write_tone(d / "audio/1-2-3.wav", 1.0);
         write_text(d / "train.tsv", (d / "audio").string() + "\n1-2-3.wav\tmany\n");
         return "corpus stats --no-durations " + q("fairseq:" + (d / "train.tsv").string());
       },
       1, {"{dir}/train.tsv", "line 2", "many"}},
      {"TsvManifestMissingRequiredColumn", "corpus",
       [](const fs::path& d) {
         write_text(d / "m.tsv", "utt_id\tpath\nu1\ta.wav\n");
         return "corpus stats " + q("manifest:" + (d / "m.tsv").string());
       },
       1, {"{dir}/m.tsv", "speaker_id"}},
      {"TsvManifestDuplicateUtterance", "corpus",
       [](const fs::path& d) {
         testing::write_tone(d / "a.wav", 1.0);
         write_text(d / "m.tsv", "utt_id\tspeaker_id\tpath\nu1\ts1\ta.wav\nu1\ts2\ta.wav\n");
         return "corpus stats " + q("manifest:" + (d / "m.tsv").string());
       },
       1, {"{dir}/m.tsv", "line 3", "u1"}},
      {"VctkWithoutItsAudioDirectory", "corpus",
       [](const fs::path& d) {
         write_text(d / "VCTK/txt/p225/p225_001.txt", "Please call Stella.\n");
         return "corpus stats " + q("vctk:" + (d / "VCTK").string());
       },
       1, {"{dir}/VCTK", "wav48"}},
  };
}

std::vector<Case> alignment_cases() {
  const auto with_alignment = [](const fs::path& d, const std::string& file, const std::string& content) {
    const auto root = librispeech(d / "LS");
    write_text(d / "align" / file, content);
    return "corpus stats --no-durations " + ls_spec(root, "s", "?alignments=" + (d / "align").string());
  };
  return {
      {"AlignmentPathMissing", "alignment",
       [](const fs::path& d) {
         return "corpus stats --no-durations " +
                ls_spec(librispeech(d / "LS"), "s", "?alignments=" + (d / "none").string());
       },
       1, {"{dir}/none"}},
      {"TextGridNotATextGrid", "alignment",
       [=](const fs::path& d) { return with_alignment(d, "1-3-1000.TextGrid", "File type = \"ooTextFile\"\nnonsense\n"); },
       0, {"1-3-1000.TextGrid"}},
      {"CtmTimeNotANumber", "alignment",
       [=](const fs::path& d) { return with_alignment(d, "all.ctm", "1-3-1000 1 0.10 abc W\n"); }, 0,
       {"all.ctm", "line 1"}},
      {"CtmWordsOverlap", "alignment",
       [=](const fs::path& d) {
         return with_alignment(d, "all.ctm", "1-3-1000 1 0.10 0.50 W\n1-3-1000 1 0.20 0.30 X\n");
       },
       0, {"1-3-1000", "overlap"}},
      {"AlignmentTxtCountsDisagree", "alignment",
       [=](const fs::path& d) {
         return with_alignment(d, "1-3.alignment.txt", "1-3-1000 \",W,\" \"0.1,0.5\"\n");
       },
       0, {"1-3.alignment.txt", "1-3-1000"}},
      {"AlignmentDisagreesWithTranscript", "alignment",
       [=](const fs::path& d) { return with_alignment(d, "all.ctm", "1-3-1000 1 0.10 0.30 HELLO\n"); }, 0,
       {"1-3-1000", "spell other words than the transcript"}},
  };
}

std::vector<Case> audio_cases() {
  const auto wav_header = [](uint32_t rate) {
    std::string h = "RIFF";
    const auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) h += char((v >> (8 * i)) & 0xff); };
    const auto u16 = [&](uint16_t v) { h += char(v & 0xff), h += char(v >> 8); };
    u32(36 + 3200), h += "WAVEfmt ", u32(16), u16(1), u16(1), u32(rate), u32(rate * 2), u16(2), u16(16);
    h += "data", u32(3200);
    return h;
  };
  return {
      {"AudioFileEmpty", "audio", [](const fs::path& d) { return extract_with_audio(d, ""); }, 0,
       {"1-3-1000.flac", "0 bytes", "1 skipped"}},
      {"AudioNotAnAudioFile", "audio",
       [](const fs::path& d) { return extract_with_audio(d, "plain text, not FLAC\n"); }, 0,
       {"1-3-1000.flac", "1 skipped"}},
      {"AudioWavDataChunkCutShort", "audio",
       [=](const fs::path& d) { return extract_with_audio(d, wav_header(16000) + std::string(1000, '\1')); }, 0,
       {"1-3-1000.flac", "shorter than its header says"}},
      {"AudioHeaderRateAbsurd", "audio",
       [=](const fs::path& d) { return extract_with_audio(d, wav_header(1526734656u) + std::string(3200, '\1')); }, 0,
       {"1-3-1000.flac", "1526734656 Hz"}},
      {"AudioTooShortForTheEncoder", "audio",
       [=](const fs::path& d) {
         auto h = wav_header(16000);
         return extract_with_audio(d, h.substr(0, 40) + std::string("\x40\x01\x00\x00", 4) + std::string(320, '\1'));
       },
       0, {"1-3-1000.flac", "too short"}},
      {"AudioMissingFile", "audio",
       [](const fs::path& d) {
         librispeech(d / "LS");
         write_text(d / "m.tsv", "utt_id\tspeaker_id\tpath\nu1\ts1\tgone.flac\nu2\ts1\t" +
                                     (d / "LS/s/1/3/1-3-1001.flac").string() + "\n");
         return "corpus stats " + q("manifest:" + (d / "m.tsv").string());
       },
       0, {"gone.flac", "missing audio"}},
      {"AudioEveryFileBroken", "audio",
       [](const fs::path& d) {
         const auto root = librispeech(d / "LS", "s", 1, 1, 2);
         write_text(root / "s/1/3/1-3-1000.flac", "x");
         write_text(root / "s/1/3/1-3-1001.flac", "y");
         return "extract --threads 1 --model " + q(kHubert) + " --corpus " + ls_spec(root) + " --out " +
                q(d / "store");
       },
       1, {"no utterance", "could be extracted", "0 of 2 utterances in the store", "1-3-1000", "1-3-1001.flac"}},
  };
}

std::vector<Case> store_cases() {
  return {
      {"StoreManifestMissing", "store",
       [](const fs::path& d) { return audit_of_stores(d, [](const fs::path& s) { fs::remove(s / "n/store.json"); }); },
       1, {"{dir}/stores/n", "store.json"}, {"run/summary.json"}},
      {"StoreManifestNotJson", "store",
       [](const fs::path& d) {
         return audit_of_stores(d, [](const fs::path& s) { write_text(s / "a/store.json", "{\"format\": "); });
       },
       1, {"{dir}/stores/a/store.json"}, {"run/summary.json"}},
      {"StoreDataFileCutShort", "store",
       [](const fs::path& d) {
         return audit_of_stores(d, [](const fs::path& s) { fs::resize_file(s / "m/data-0-of-1-0.bin", 100); });
       },
       1, {"{dir}/stores/m/index-0-of-1.jsonl", "past the end of its data file"}, {"run/summary.json"}},
      {"StoreUtteranceInTwoParts", "store",
       [](const fs::path& d) {
         return audit_of_stores(d, [](const fs::path& s) {
           fs::copy_file(s / "m/index-0-of-1.jsonl", s / "m/index-0-of-2.jsonl");
         });
       },
       1, {"{dir}/stores/m", "also in"}, {"run/summary.json"}},
      {"StoresOfDifferentModels", "store",
       [](const fs::path& d) {
         return audit_of_stores(d, [](const fs::path& s) {
           auto j = read_json(s / "n/store.json");
           j["model_fingerprint"] = "another model";
           write_json(s / "n/store.json", j);
         });
       },
       1, {"{dir}/stores/n"}, {"run/summary.json"}},
      {"ExtractIntoAStoreOfAnotherConfiguration", "store",
       [](const fs::path& d) {
         const auto root = librispeech(d / "LS");
         std::string out;
         testing::run_command(kCli + " -q extract --threads 1 --model " + q(kHubert) + " --corpus " + ls_spec(root) +
                                  " --out " + q(d / "store"),
                              &out);
         return "extract --threads 1 --frames --model " + q(kHubert) + " --corpus " + ls_spec(root) + " --out " +
                q(d / "store");
       },
       1, {"{dir}/store/store.json", "different configuration", "frames"}},
  };
}

std::vector<Case> argument_cases() {
  const auto extract = [](const fs::path& d, const std::string& extra) {
    return "extract --threads 1 --model " + q(kHubert) + " --corpus " + ls_spec(librispeech(d / "LS")) + " --out " +
           q(d / "store") + " " + extra;
  };
  return {
      {"ExtractLayerBeyondTheModel", "argument", [=](const fs::path& d) { return extract(d, "--layers 9"); }, 1,
       {"--layers", "9"}, {"store"}},
      {"ExtractShardOutOfRange", "argument", [=](const fs::path& d) { return extract(d, "--shard 3/2"); }, 1,
       {"shard", "3/2"}, {"store"}},
      {"ExtractFramesDtypeUnknown", "argument",
       [=](const fs::path& d) { return extract(d, "--frames --frames-dtype int8"); }, 1, {"frames", "int8"},
       {"store"}},
      {"ExtractOutIsAFile", "argument",
       [=](const fs::path& d) {
         write_text(d / "store", "a file\n");
         return extract(d, "");
       },
       1, {"{dir}/store"}},
      {"ExtractOutUnderAFile", "argument",
       [=](const fs::path& d) {
         write_text(d / "file", "a file\n");
         return "extract --threads 1 --model " + q(kHubert) + " --corpus " + ls_spec(librispeech(d / "LS")) +
                " --out " + q(d / "file/store");
       },
       1, {"{dir}/file"}},
      {"AuditDirectionUnknown", "argument",
       [](const fs::path& d) {
         return "audit --members a --nonmembers b --aux c --out " + q(d / "run") + " --direction sideways";
       },
       1, {"--direction", "sideways"}, {"run"}},
      {"AuditMembersAreNonmembers", "argument",
       [](const fs::path& d) {
         const auto spec = ls_spec(librispeech(d / "LS", "m", 1), "m");
         librispeech(d / "LS", "a", 5);
         return "audit --model " + q(kHubert) + " --members " + spec + " --nonmembers " + spec + " --aux " +
                ls_spec(d / "LS", "a") + " --attack basic --out " + q(d / "run");
       },
       1, {"1-3-1000", "unique across the members and non-members"}, {"run/summary.json"}},
      {"SynthLeadSilenceRangeReversed", "argument",
       [](const fs::path& d) { return "synth --out " + q(d / "c") + " --lead-silence 0.3:0.1:0.2"; }, 1,
       {"--lead-silence"}, {"c", "c.partial"}},
      {"PretrainZeroEpochs", "argument",
       [](const fs::path& d) {
         return "pretrain --corpus " + ls_spec(librispeech(d / "LS")) + " --epochs 0 --out " + q(d / "m");
       },
       1, {"--epochs", "0"}, {"m/model.safetensors"}},
      {"FinetunePresetUnknown", "argument",
       [](const fs::path& d) {
         return "finetune --model " + q(kHubert) + " --corpus " + ls_spec(librispeech(d / "LS")) +
                " --preset fast --out " + q(d / "asr");
       },
       1, {"--preset", "fast"}, {"asr/model.safetensors"}},
      {"TranscribeWithAnEncoderWithoutHead", "argument",
       [](const fs::path& d) {
         return "transcribe --model " + q(kHubert) + " --corpus " + ls_spec(librispeech(d / "LS")) + " --out " +
                q(d / "hyp.tsv");
       },
       1, {"not a CTC model"}, {"hyp.tsv"}},
      {"OptionUnknown", "argument",
       [](const fs::path& d) {
         return "extract --model " + q(kHubert) + " --corpus " + ls_spec(librispeech(d / "LS")) + " --out " +
                q(d / "store") + " --no-such-flag";
       },
       1, {"--no-such-flag"}, {"store"}},
      {"RequiredOptionMissing", "argument",
       [](const fs::path& d) {
         return "extract --corpus " + ls_spec(librispeech(d / "LS")) + " --out " + q(d / "store");
       },
       1, {"--model", "required"}},
      {"ThreadsNegative", "argument",
       [](const fs::path& d) {
         return "extract --threads=-2 --model " + q(kHubert) + " --corpus " + ls_spec(librispeech(d / "LS")) +
                " --out " + q(d / "store");
       },
       1, {"threads", "-2"}, {"store"}},
  };
}

std::vector<Case> config_cases() {
  return {
      {"PretrainResumeWithAnotherSeed", "config",
       [](const fs::path& d) {
         const auto spec = ls_spec(librispeech(d / "LS"));
         const std::string args = "pretrain --corpus " + spec + " --arch tiny --epochs 1 --clusters 4 --batch-size 3 "
                                  "--threads 1 --out " + q(d / "m");
         std::string out;
         testing::run_command(kCli + " -q " + args, &out);
         return args + " --resume --seed 5";
       },
       1, {"training.seed"}},
      {"NoiseMaskNamesFileMissing", "config",
       [](const fs::path& d) {
         const auto spec = ls_spec(librispeech(d / "LS"));
         return "noise-mask --asr " + q(kCtc) + " --targets " + spec + " --control " + spec + " --names " +
                q(d / "names.txt") + " --out " + q(d / "run");
       },
       1, {"{dir}/names.txt"}, {"run/summary.json"}},
      {"ReportOfADirectoryThatIsNoRun", "config",
       [](const fs::path& d) {
         fs::create_directories(d / "empty");
         return "report " + q(d / "empty") + " --out " + q(d / "r.html");
       },
       1, {"{dir}/empty"}, {"r.html"}},
      {"ReportOfARunWithACorruptSummary", "config",
       [](const fs::path& d) {
         write_text(d / "run/summary.json", "{\"results\": [");
         write_text(d / "run/config.json", "{}");
         return "report " + q(d / "run") + " --out " + q(d / "r.html");
       },
       1, {"{dir}/run/summary.json"}, {"r.html"}},
      {"ReferencesRecipeIsAFile", "config",
       [](const fs::path& d) {
         write_text(d / "recipe.json", "{}");
         return "references train --recipe " + q(d / "recipe.json") + " --candidates " +
                ls_spec(librispeech(d / "LS")) + " --runs 2 --out " + q(d / "refs");
       },
       1, {"--recipe", "{dir}/recipe.json", "a file", "smoke"}, {"refs/references.json"}},
      {"ReferencesRecipeConfigMalformed", "config",
       [](const fs::path& d) {
         write_text(d / "model/pretrain_config.json", "{\"format_version\": 2, \"training\": 3}");
         return "references train --recipe " + q(d / "model") + " --candidates " + ls_spec(librispeech(d / "LS")) +
                " --runs 2 --out " + q(d / "refs");
       },
       1, {"{dir}/model/pretrain_config.json"}, {"refs/references.json"}},
  };
}

std::vector<Case> catalogue() {
  std::vector<Case> all;
  for (auto part : {checkpoint_cases(), corpus_cases(), alignment_cases(), audio_cases(), store_cases(),
                    argument_cases(), config_cases()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

// The line a user reads first: the error, else the first skipped item, else the first warning ("" when none).
std::string headline(const std::string& output) {
  std::string skipped, warning;
  for (const auto& line : text::split(output, '\n')) {
    if (text::starts_with(line, "error: ")) return line;
    if (skipped.empty() && text::starts_with(line, "  skipped ")) skipped = line.substr(2);
    if (warning.empty() && text::starts_with(line, "warning: ")) warning = line;
  }
  return skipped.empty() ? warning : skipped;
}

// With SPEECHLEAK_CATALOGUE_LOG=FILE, each case appends "name<TAB>area<TAB>status<TAB>headline" to FILE, paths
// shortened: the rows of docs/reliability.md's catalogue table.
void log_case(const Case& c, int status, std::string line, const fs::path& dir) {
  const char* log = std::getenv("SPEECHLEAK_CATALOGUE_LOG");
  if (!log) return;
  for (const auto& [from, to] : {std::pair{dir.string() + "/", std::string()}, {kSource.string() + "/", ""}})
    for (size_t at; (at = line.find(from)) != std::string::npos;) line.replace(at, from.size(), to);
  std::ofstream(log, std::ios::app) << c.name << '\t' << c.area << '\t' << status << '\t' << line << '\n';
}

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, IsRefusedWithTheFileAndTheProblemNamed) {
  const auto& c = GetParam();
  testing::TempDir dir;
  const std::string args = c.make(dir.path());
  std::string out;
  const int status = testing::run_command(kCli + " " + args, &out);
  EXPECT_EQ(status, c.status) << args << "\n" << out;
  log_case(c, status, headline(out), dir.path());
  for (auto what : c.says) {
    if (const auto at = what.find("{dir}"); at != std::string::npos) what.replace(at, 5, dir.path().string());
    EXPECT_NE(out.find(what), std::string::npos) << "expected '" << what << "' in the output of\n"
                                                 << args << "\n" << out;
  }
  EXPECT_EQ(out.find("internal error"), std::string::npos) << out;
  for (const auto& path : c.absent) EXPECT_FALSE(fs::exists(dir / path)) << path << " was left behind\n" << out;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInput, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// docs/reliability.md lists every case, and the catalogue keeps the size the issue asked for.
TEST(BadInputCatalogue, IsDocumentedAndHasAtLeastFortyKinds) {
  const auto docs = read_text_file(kSource / "docs/reliability.md");
  const auto all = catalogue();
  EXPECT_GE(all.size(), 40u);
  for (const auto& c : all) EXPECT_NE(docs.find("`" + c.name + "`"), std::string::npos) << c.name;
}

}  // namespace
}  // namespace speechleak
