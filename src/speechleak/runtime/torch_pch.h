// Precompiled header for rooms that use libtorch. Only .cpp files of those rooms see it; public headers must
// still include what they use (and should avoid torch where they can).
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
// Not here: torch/optim.h, torch/serialize.h and torch/nn/functional.h. With them the header precompiles to a file
// that made every file of a room slower to compile than no precompiled header at all (measured 2026-12-07 with
// GCC 12: train/masking.cpp 17.2 s with them, 9.7 s without any, 6.8 s with this set); the files that use them
// include them.
