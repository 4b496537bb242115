// The noise-masking pipeline end to end on a tiny corpus with a random recogniser: what it masks, which trials it
// runs or skips (and why), that outcomes follow from the hypotheses, refusals, and the run directory.
#include "speechleak/noise_masking/study.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "speechleak/corpus/load.h"
#include "speechleak/corpus/words.h"
#include "speechleak/noise_masking/slot.h"
#include "speechleak/rundir/schema.h"
#include "speechleak/train/model_init.h"
#include "speechleak/util/error.h"
#include "speechleak/util/file_io.h"
#include "support/test_support.h"
#include "support/tiny_encoder.h"
#include "train/train_test_util.h"

namespace speechleak::noise_masking {
namespace {

namespace fs = std::filesystem;

asr::CtcModel random_recogniser(uint64_t seed) {
  at::manual_seed(seed);
  auto m = asr::CtcModel(train::init_encoder_model(testing::tiny_encoder_config("wav2vec2")),
                         asr::Vocabulary::characters(), 0.1);
  at::NoGradGuard no_grad;
  m->lm_head->weight.normal_(0, 2.0);  // large weights: the argmax path is not all blanks
  return m;
}

struct Row {
  std::string words;                      // transcript
  std::vector<corpus::WordSpan> aligned;  // empty: no alignment entry
};

// Utterances "<prefix>-uK" of 1.2 s speech-like audio with the given transcripts and word alignments.
std::string write_corpus(const fs::path& dir, const std::string& prefix, const std::vector<Row>& rows) {
  fs::create_directories(dir / "audio");
  std::string manifest = "utt_id\tspeaker_id\tpath\ttranscript\n";
  corpus::AlignmentMap alignments;
  for (size_t k = 0; k < rows.size(); ++k) {
    const std::string id = prefix + "-u" + std::to_string(k);
    audio::Audio a;
    a.samples = train::test::speechish(1.2, 300 + k);
    audio::write_audio(dir / "audio" / (id + ".wav"), a);
    manifest += id + "\t" + prefix + "\taudio/" + id + ".wav\t" + rows[k].words + "\n";
    if (!rows[k].aligned.empty()) alignments[id] = rows[k].aligned;
  }
  testing::write_text(dir / (prefix + ".tsv"), manifest);
  corpus::write_ctm(dir / (prefix + ".ctm"), alignments);
  return "manifest:" + (dir / (prefix + ".tsv")).string() + "?alignments=" + (dir / (prefix + ".ctm")).string();
}

std::vector<corpus::WordSpan> three(const char* a, const char* b, const char* c, double end = 1.1) {
  return {{a, 0.1, 0.4}, {b, 0.4, 0.7}, {c, 0.7, end}};
}

struct Fixture : ::testing::Test {
  testing::TempDir dir;
  std::string target_spec, control_spec;
  corpus::Corpus targets, control;
  corpus::NameList names;

  void SetUp() override {
    target_spec = write_corpus(dir.path(), "tgt", {
        {"MEET ISAAC TODAY", three("MEET", "ISAAC", "TODAY")},
        {"CALL ELLEN NOW", three("CALL", "ELLEN", "NOW")},
        {"ISAAC SAW ISAAC", three("ISAAC", "SAW", "ISAAC")},          // one trial, both mentions masked
        {"THE CAT SAT", three("THE", "CAT", "SAT")},                   // no name: not a target
        {"MEET RHODA TODAY", {}},                                      // no alignment: skipped
        {"MEET ZOË TODAY", three("MEET", "ZOË", "TODAY")},             // the vocabulary cannot spell it
        {"MEET RHODA LATER", {{"MEET", 0.1, 0.4}, {"RHODA", 1.5, 1.8}, {"LATER", 1.8, 1.9}}},  // outside the audio
        {"RHODA MET ALICE MORGAN", {{"RHODA", 0.1, 0.3}, {"MET", 0.3, 0.5}, {"ALICE", 0.5, 0.7}, {"MORGAN", 0.7, 1.0}}},
    });
    control_spec = write_corpus(dir.path(), "ctl", {
        {"SEE ELLEN SOON", three("SEE", "ELLEN", "SOON")},
        {"ASK ISAAC HERE", three("ASK", "ISAAC", "HERE")},
    });
    testing::write_text(dir / "names.txt", "# inventory\nISAAC\nELLEN\nRHODA\nZOË\nALICE MORGAN\n");
    targets = corpus::load_corpus(corpus::CorpusSpec::parse(target_spec));
    control = corpus::load_corpus(corpus::CorpusSpec::parse(control_spec));
    names = corpus::NameList::load(dir / "names.txt");
  }

  StudyInputs inputs(uint64_t model_seed = 1) {
    return {&targets, &control, &names, {random_recogniser(model_seed), true, "target model"}, {}};
  }
};

TEST_F(Fixture, PlansOneTrialPerNameAndCountsWhatItCannotAttack) {
  const auto plan = plan_trials(targets, names);
  EXPECT_EQ(plan.utterances, 8u);
  EXPECT_EQ(plan.without_names, 1u);
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped.items[0].id, "tgt-u4");
  EXPECT_NE(plan.skipped.items[0].reason.find("no alignment"), std::string::npos);
  // u0, u1, u2 (one trial for both ISAACs), u5, u6, and u7 twice (RHODA; ALICE MORGAN).
  ASSERT_EQ(plan.trials.size(), 7u);
  const auto& repeated = plan.trials[2];
  EXPECT_EQ(repeated.name, "ISAAC");
  EXPECT_EQ(repeated.slot_first, 0u);
  ASSERT_EQ(repeated.other_slots.size(), 1u);
  EXPECT_EQ(repeated.other_slots[0], (std::pair<size_t, size_t>{2, 1}));
  EXPECT_EQ(repeated.spans.size(), 2u);
  EXPECT_EQ(repeated.blanked(), "____ SAW ____");
  const auto& two_words = plan.trials[6];
  EXPECT_EQ(two_words.name, "ALICE MORGAN");
  EXPECT_EQ(two_words.slot_count, 2u);
  EXPECT_NEAR(two_words.spans[0].start_s, 0.5, 1e-9);
  EXPECT_NEAR(two_words.spans[0].end_s, 1.0, 1e-9);
  EXPECT_EQ(two_words.blanked(), "RHODA MET ____");
}

TEST_F(Fixture, MasksExactlyThePaddedSpansAtTheSpeechLevel) {
  const auto& u = targets.utterances[0];
  const auto a = corpus::load_utterance_audio(u);
  NoiseMaskConfig c;
  const std::vector<TimeSpan> spans = {{0.4, 0.7}};
  const auto x = mask_spans(u, a, spans, c, 5);
  ASSERT_EQ(x.size(), a.samples.size());
  const auto first = size_t(0.4 * 16000), last = size_t(0.7 * 16000);
  double sq_noise = 0, sq_speech = 0;
  size_t n_speech = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (i < first || i >= last) {
      ASSERT_EQ(x[i], a.samples[i]) << "sample " << i << " outside the span changed";
      if (i >= size_t(0.1 * 16000) && i < size_t(1.1 * 16000)) sq_speech += double(x[i]) * x[i], ++n_speech;
    } else {
      sq_noise += double(x[i]) * x[i];
    }
  }
  const double noise_rms = std::sqrt(sq_noise / double(last - first)), speech = std::sqrt(sq_speech / n_speech);
  EXPECT_NEAR(noise_rms / speech, 1.0, 0.1) << "noise at the speech RMS (level 1)";
  c.level = 0.5;
  const auto half = mask_spans(u, a, spans, c, 5);
  EXPECT_NEAR(half[first + 100], 0.5 * x[first + 100], 1e-6) << "the same draw, half the level";
  EXPECT_NE(mask_spans(u, a, spans, c, 6)[first + 100], half[first + 100]) << "the seed draws the noise";
  c.fill = Fill::Silence;
  const auto silent = mask_spans(u, a, spans, c, 5);
  for (size_t i = first; i < last; ++i) ASSERT_EQ(silent[i], 0.0f);
}

TEST_F(Fixture, OutcomesFollowFromTheHypothesesAndAreReproducible) {
  NoiseMaskConfig c;
  c.batch.max_batch_size = 3;
  const auto r = run_study(inputs(), c);
  ASSERT_EQ(r.reports.size(), 2u);
  const auto& t = r.reports[0];
  EXPECT_EQ(t.outcomes.size(), 6u) << "7 trials, one with its span outside the audio";
  ASSERT_EQ(t.skipped.size(), 1u);
  EXPECT_EQ(t.skipped.items[0].id, "tgt-u6");
  EXPECT_NE(t.skipped.items[0].reason.find("span outside the audio"), std::string::npos);
  EXPECT_EQ(t.unspellable, 1u);
  const auto plan = plan_trials(targets, names);
  size_t exact = 0;
  for (const auto& o : t.outcomes) {
    const Trial* trial = nullptr;
    for (const auto& p : plan.trials)
      if (p.utterance->id == o.utt_id && p.name == o.name) trial = &p;
    ASSERT_NE(trial, nullptr) << o.utt_id;
    const auto ref = SlotReference::make(trial->words, trial->slot_first, trial->slot_count, trial->other_slots);
    const auto slot = align_slot(ref, corpus::normalize_words(o.hypothesis));
    EXPECT_EQ(o.guess, slot.guess_text()) << o.utt_id;
    EXPECT_EQ(o.exact(), o.guess == o.name);
    EXPECT_EQ(o.outcome == Outcome::Deleted, o.guess.empty());
    EXPECT_DOUBLE_EQ(o.context_wer, slot.context_words.rate());
    EXPECT_GE(o.confidence, 0.0);
    EXPECT_LE(o.confidence, 1.0);
    EXPECT_GT(o.masked_s, 0.3) << "the name's span plus 2 x 0.05 s of padding";
    exact += o.exact();
  }
  EXPECT_EQ(r.sets[0].counts.exact, exact);
  EXPECT_EQ(r.sets[0].counts.trials, 6u);
  EXPECT_EQ(r.sets[1].counts.trials, 2u);
  EXPECT_EQ(r.sets[0].unmasked->utterances, 6u) << "each decoded utterance once, unmasked (tgt-u6 too)";
  EXPECT_DOUBLE_EQ(r.sets[0].chance, 1.0 / 5);

  const auto again = run_study(inputs(), c);
  for (size_t i = 0; i < t.outcomes.size(); ++i) {
    EXPECT_EQ(again.reports[0].outcomes[i].hypothesis, t.outcomes[i].hypothesis);
    EXPECT_DOUBLE_EQ(again.reports[0].outcomes[i].confidence, t.outcomes[i].confidence);
  }
}

TEST_F(Fixture, SeveralDrawsVoteAndSilenceRefusesThem) {
  NoiseMaskConfig c;
  c.draws = 3;
  const auto r = run_study(inputs(), c);
  for (const auto& o : r.reports[0].outcomes) {
    EXPECT_GE(o.draws_agreeing, 1);
    EXPECT_LE(o.draws_agreeing, 3);
  }
  EXPECT_EQ(r.reports[0].recognitions, 6u + 3u * 6u) << "6 unmasked + 3 draws of the 6 trials inside the audio";
  c.fill = Fill::Silence;
  EXPECT_THROW(c.validate(), InvalidArgument);
}

TEST_F(Fixture, TheMaskEmbeddingFillLeavesTheAudioAndMasksInTheEncoder) {
  NoiseMaskConfig c;
  c.fill = Fill::MaskEmbedding;
  const auto& u = targets.utterances[0];
  const auto a = corpus::load_utterance_audio(u);
  EXPECT_EQ(mask_spans(u, a, {{0.4, 0.7}}, c, 5), a.samples);
  const auto masked = run_study(inputs(), c);
  NoiseMaskConfig silence;
  silence.fill = Fill::Silence;
  const auto silent = run_study(inputs(), silence);
  ASSERT_EQ(masked.reports[0].outcomes.size(), 6u);
  size_t same = 0;
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(masked.reports[0].outcomes[i].unmasked_hypothesis, silent.reports[0].outcomes[i].unmasked_hypothesis);
    same += masked.reports[0].outcomes[i].confidence == silent.reports[0].outcomes[i].confidence;
  }
  EXPECT_LT(same, 6u) << "masking in the encoder is not masking with silence";
  c.draws = 2;
  EXPECT_THROW(c.validate(), InvalidArgument);
}

TEST_F(Fixture, RefusesAControlThatOverlapsTheTargetsAndNamesThatMatchNothing) {
  auto in = inputs();
  in.control = &targets;
  EXPECT_THROW(check_inputs(in), InvalidArgument);
  testing::write_text(dir / "other.txt", "BARTHOLOMEW\n");
  const auto other = corpus::NameList::load(dir / "other.txt");
  auto in2 = inputs();
  in2.names = &other;
  try {
    check_inputs(in2);
    FAIL() << "a name list that matches nothing must be refused";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("--names"), std::string::npos) << e.what();
  }
}

TEST_F(Fixture, PairedRunsAreComparedTrialByTrial) {
  NoiseMaskConfig c;
  auto in = inputs(1);
  in.paired = Recogniser{random_recogniser(2), true, "paired model"};
  const auto r = run_study(in, c);
  ASSERT_EQ(r.reports.size(), 3u);
  ASSERT_EQ(r.comparisons.size(), 2u);
  EXPECT_EQ(r.comparisons[0].test, "fisher");
  EXPECT_EQ(r.comparisons[1].test, "mcnemar");
  size_t only_t = 0, only_p = 0;
  for (size_t i = 0; i < r.reports[0].outcomes.size(); ++i) {
    only_t += r.reports[0].outcomes[i].exact() && !r.reports[2].outcomes[i].exact();
    only_p += !r.reports[0].outcomes[i].exact() && r.reports[2].outcomes[i].exact();
  }
  EXPECT_EQ(r.comparisons[1].only_first, only_t);
  EXPECT_EQ(r.comparisons[1].only_second, only_p);
}

TEST_F(Fixture, WritesOutcomesAndASummaryLast) {
  NoiseMaskConfig c;
  const auto r = run_study(inputs(), c);
  const fs::path run = dir / "run";
  write_study_directory(run, r, c, {{"command", "test"}});
  const auto lines = read_lines(rundir::noise_masking_outcomes_file(run));
  ASSERT_EQ(lines.size(), 1u + 6u + 2u);
  EXPECT_EQ(lines[0].rfind("set\tutt_id\tspeaker_id\tname\tguess\toutcome", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("kept_tau=0\t"), std::string::npos);
  const auto summary = nlohmann::json::parse(read_text_file(rundir::summary_file(run)));
  EXPECT_EQ(summary["kind"], "noise-masking");
  const auto& sets = summary["noise_masking"]["sets"];
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0]["counts"]["trials"], 6);
  EXPECT_EQ(sets[0]["plan"]["skipped"]["no alignment"], 1);
  EXPECT_EQ(sets[0]["skipped_trials"]["span outside the audio"], 1);
  EXPECT_EQ(summary["noise_masking"]["comparisons"][0]["test"], "fisher");
  EXPECT_TRUE(fs::exists(rundir::config_file(run)));
}

}  // namespace
}  // namespace speechleak::noise_masking
