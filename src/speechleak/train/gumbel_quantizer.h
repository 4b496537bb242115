#pragma once
// wav2vec 2.0's product quantiser (Baevski et al. 2020, section 2; HF Wav2Vec2GumbelVectorQuantizer): a linear map
// of each frame's normalised conv features to G x V logits, one entry chosen per group by a hard Gumbel-softmax
// (straight-through: the forward pass uses the one-hot choice, the gradient the soft one), and the chosen
// codevectors of the G groups concatenated.
//
// Parameter names follow HF's Wav2Vec2ForPreTraining: weight_proj.{weight,bias}, codevectors [1, G*V, d/G].
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "speechleak/train/contrastive_config.h"

namespace speechleak::train {

struct QuantizerOutput {
  at::Tensor quantized;        // [N, codevector_dim]
  at::Tensor codes;            // [N, G] int64: the entry chosen in each group
  at::Tensor prob_perplexity;  // scalar with grad: sum over groups of exp(entropy of the mean soft assignment)
  double code_perplexity = 0;  // the same of the hard choices (how many entries are in use)
};

class GumbelQuantizerImpl : public torch::nn::Module {
 public:
  GumbelQuantizerImpl(int input_dim, const QuantizerConfig& config, int codevector_dim);

  // features [N, input_dim]; uniform [N, G*V] draws in (0, 1) for the Gumbel noise (the caller seeds them);
  // temperature > 0. N = 0 gives empty outputs and a zero perplexity.
  QuantizerOutput forward(const at::Tensor& features, const at::Tensor& uniform, double temperature);

  // Sets the HF / fairseq initial values: weight_proj ~ N(0, 1), bias 0, codevectors ~ U[0, 1).
  void reset_parameters();

  int groups() const { return groups_; }
  int entries() const { return entries_; }

  torch::nn::Linear weight_proj{nullptr};
  at::Tensor codevectors;  // [1, G*V, codevector_dim / G]

 private:
  int groups_, entries_;
};
TORCH_MODULE(GumbelQuantizer);

// sum_g exp(-sum_v p_gv log(p_gv + 1e-7)) of probabilities [G, V] (fairseq's and HF's perplexity).
at::Tensor group_perplexity(const at::Tensor& probs);

}  // namespace speechleak::train
