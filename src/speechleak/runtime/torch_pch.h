// Precompiled header for rooms that use libtorch. Only .cpp files of those rooms see it; public headers must
// still include what they use (and should avoid torch where they can).
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/functional.h>
#include <torch/serialize.h>
#include <torch/optim.h>
