#pragma once
// Model-independent descriptors of an utterance's audio, for the blind baseline (audit/blind_baseline.h): what
// recording conditions and speaking style look like without any encoder. Per utterance: duration; frame energy
// (mean, spread, 10-90% range, in dB); pitch (voiced share, median F0, F0 spread in semitones, by normalised
// autocorrelation over 60-400 Hz); and the mean and spread of each of 40 log-mel bands (25 ms frames, 20 ms hop).
#include <string>
#include <vector>

#include "speechleak/audit/audit.h"
#include "speechleak/audit/blind_baseline.h"
#include "speechleak/corpus/corpus.h"
#include "speechleak/util/progress.h"
#include "speechleak/util/skip_report.h"

namespace speechleak::pipeline {

std::vector<std::string> audio_descriptor_names();

// PCM at 16 kHz, mono. Audio shorter than one 25 ms frame gives zeros for the frame statistics.
std::vector<double> audio_descriptors(const std::vector<float>& samples, int sample_rate);

// The descriptors of every utterance of `corpus` that can be read, by utterance id; the others are skipped and
// counted in `skipped` (reason: the audio error). Progress: "describe audio".
audit::DescriptorMap describe_corpus(const corpus::Corpus& corpus, SkipReport& skipped,
                                     const ProgressCallback& progress = {});

// The blind baseline's rows: the scored utterances (id, speaker, membership) that have descriptors.
audit::LabelledDescriptors labelled_descriptors(const std::vector<audit::ScoredItem>& items,
                                                const audit::DescriptorMap& descriptors);

}  // namespace speechleak::pipeline
