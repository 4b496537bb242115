#include "speechleak/corpus/spec.h"

#include <gtest/gtest.h>

#include "speechleak/corpus/load.h"
#include "speechleak/util/error.h"

namespace speechleak::corpus {
namespace {

using Strings = std::vector<std::string>;

// The message of the InvalidArgument `text` raises, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    CorpusSpec::parse(text);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(CorpusSpec, LibriSpeechWithSubsetsAndFilters) {
  const auto s = CorpusSpec::parse(
      "librispeech:/data/LibriSpeech:train-clean-100,dev-clean?max_speakers=20&max_utts_per_speaker=10&"
      "min_duration=1.0&max_duration=20&seed=3&alignments=/data/align");
  EXPECT_EQ(s.format, CorpusFormat::LibriSpeech);
  EXPECT_EQ(s.path, "/data/LibriSpeech");
  EXPECT_EQ(s.librispeech.subsets, (Strings{"train-clean-100", "dev-clean"}));
  EXPECT_EQ(s.filters.max_speakers, 20);
  EXPECT_EQ(s.filters.max_utts_per_speaker, 10);
  EXPECT_EQ(s.filters.min_duration_s, 1.0);
  EXPECT_EQ(s.filters.max_duration_s, 20.0);
  EXPECT_EQ(s.filters.seed, 3u);
  EXPECT_EQ(s.alignments, "/data/align");
  EXPECT_EQ(s.to_string(),
            "librispeech:/data/LibriSpeech:train-clean-100,dev-clean?max_speakers=20&max_utts_per_speaker=10&"
            "min_duration=1&max_duration=20&seed=3&alignments=/data/align");
}

TEST(CorpusSpec, OtherFormatsAndTheirKeys) {
  const auto v = CorpusSpec::parse("vctk:/data/VCTK-Corpus-0.92?mic=mic2&require_transcript=yes");
  EXPECT_EQ(v.format, CorpusFormat::Vctk);
  EXPECT_EQ(v.vctk.mic, "mic2");
  EXPECT_TRUE(v.vctk.require_transcript);
  EXPECT_EQ(v.to_string(), "vctk:/data/VCTK-Corpus-0.92?require_transcript=1&mic=mic2");
  const auto k = CorpusSpec::parse("KALDI:/exp/data/train?allow_commands=1&librispeech_readers=true");
  EXPECT_EQ(k.format, CorpusFormat::Kaldi);
  EXPECT_TRUE(k.kaldi.allow_commands);
  EXPECT_TRUE(k.kaldi.librispeech_readers);
  const auto f = CorpusSpec::parse("fairseq:/m/train.tsv?speaker_rule=parent&id_rule=path&sample_rate=8000");
  EXPECT_EQ(f.fairseq.speaker_rule, "parent");
  EXPECT_EQ(f.fairseq.id_rule, "path");
  EXPECT_EQ(f.fairseq.sample_rate, 8000);
  const auto m = CorpusSpec::parse("manifest:/data/x.tsv");
  EXPECT_EQ(m.format, CorpusFormat::Manifest);
  EXPECT_EQ(m.path, "/data/x.tsv");
  EXPECT_EQ(m.to_string(), "manifest:/data/x.tsv");
  EXPECT_FALSE(m.filters.active());
}

TEST(CorpusSpec, ToStringRoundTrips) {
  for (const std::string text :
       {"librispeech:/a:b:dev-clean?extension=.wav", "vctk:/v?max_speakers=3&seed=18446744073709551615",
        "kaldi:/k?min_duration=0.25&allow_commands=1", "fairseq:/f.tsv?speaker_rule=prefix",
        "manifest:/m.tsv?alignments=/x%26y%25z", "kaldi:/k?max_audio_seconds=600"}) {
    const auto s = CorpusSpec::parse(text);
    EXPECT_EQ(CorpusSpec::parse(s.to_string()).to_string(), s.to_string()) << text;
    EXPECT_EQ(s.to_string(), text);
  }
  EXPECT_EQ(CorpusSpec::parse("librispeech:/a:b:dev-clean").path, "/a:b");  // subsets follow the LAST ':'
  EXPECT_EQ(CorpusSpec::parse("manifest:/m.tsv?alignments=/x%26y%25z").alignments, "/x&y%z");
  EXPECT_EQ(CorpusSpec::parse("kaldi:/k?allow_commands=0").to_string(), "kaldi:/k");  // defaults are not written
  EXPECT_EQ(CorpusSpec::parse("kaldi:/k?max_audio_seconds=120").to_string(), "kaldi:/k");
  EXPECT_EQ(audio_policy(CorpusSpec::parse("manifest:/m?max_audio_seconds=0")).max_seconds, 0.0);  // no limit
  EXPECT_EQ(audio_policy(CorpusSpec::parse("manifest:/m")).max_seconds, 120.0);
  EXPECT_TRUE(contains(error_of("manifest:/m?max_audio_seconds=-1"), "max_audio_seconds"));
}

TEST(CorpusSpec, UnknownFormatsAndKeysListTheValidOnes) {
  const auto fmt = error_of("timit:/data/timit");
  EXPECT_TRUE(contains(fmt, "'timit'")) << fmt;
  EXPECT_TRUE(contains(fmt, "librispeech, vctk, kaldi, fairseq, manifest")) << fmt;
  const auto key = error_of("vctk:/v?max_speaker=3");
  EXPECT_TRUE(contains(key, "'max_speaker'")) << key;
  EXPECT_TRUE(contains(key,
                       "max_speakers, max_utts_per_speaker, min_duration, max_duration, seed, alignments, "
                       "max_audio_seconds, require_transcript, mic"))
      << key;
  const auto wrong_format = error_of("kaldi:/k?mic=mic2");
  EXPECT_TRUE(contains(wrong_format, "'mic'")) << wrong_format;
  EXPECT_TRUE(contains(wrong_format, "it applies to vctk")) << wrong_format;
  EXPECT_TRUE(contains(error_of("/data/x.tsv"), "<format>:<path>"));
}

TEST(CorpusSpec, BadValuesAndShapes) {
  EXPECT_TRUE(contains(error_of("librispeech:/data/LibriSpeech"), "no subsets"));
  EXPECT_TRUE(contains(error_of("librispeech:/data/LibriSpeech:"), "no subsets"));
  EXPECT_TRUE(contains(error_of("librispeech:/d:dev-clean,,test-clean"), "librispeech subset"));
  EXPECT_TRUE(contains(error_of("manifest:"), "non-empty path"));
  EXPECT_TRUE(contains(error_of("manifest:/m?max_speakers=-1"), "max_speakers"));
  EXPECT_TRUE(contains(error_of("manifest:/m?max_speakers=2.5"), "whole number"));
  EXPECT_TRUE(contains(error_of("manifest:/m?min_duration=abc"), "seconds"));
  EXPECT_TRUE(contains(error_of("manifest:/m?min_duration=5&max_duration=2"), "at most max_duration"));
  EXPECT_TRUE(contains(error_of("manifest:/m?seed=-3"), "unsigned"));
  EXPECT_TRUE(contains(error_of("manifest:/m?seed=1&seed=2"), "at most once"));
  EXPECT_TRUE(contains(error_of("manifest:/m?seed"), "key=value"));
  EXPECT_TRUE(contains(error_of("manifest:/m?seed=1&"), "key=value"));
  EXPECT_TRUE(contains(error_of("kaldi:/k?allow_commands=maybe"), "1/0/true/false/yes/no"));
  EXPECT_TRUE(contains(error_of("vctk:/v?mic=mic3"), "mic1 or mic2"));
  EXPECT_TRUE(contains(error_of("fairseq:/f?speaker_rule=x"), "librispeech, parent, prefix"));
  EXPECT_TRUE(contains(error_of("manifest:/m?alignments=%2"), "two hex digits"));
  EXPECT_EQ(error_of("manifest:/m?max_duration=0"), "");
}

TEST(CorpusSpec, KeysPerFormat) {
  EXPECT_EQ(spec_keys(CorpusFormat::Manifest),
            (Strings{"max_speakers", "max_utts_per_speaker", "min_duration", "max_duration", "seed", "alignments",
                     "max_audio_seconds"}));
  EXPECT_EQ(spec_keys(CorpusFormat::Kaldi).back(), "librispeech_readers");
  EXPECT_EQ(parse_corpus_format("fairseq"), CorpusFormat::Fairseq);
  EXPECT_THROW(parse_corpus_format("wav"), InvalidArgument);
}

}  // namespace
}  // namespace speechleak::corpus
