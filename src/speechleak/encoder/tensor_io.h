#pragma once
// The thin torch side of safetensors: views -> at::Tensor copies, tensors -> files.
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "speechleak/encoder/safetensors.h"

namespace speechleak::encoder {

c10::ScalarType to_scalar_type(DType dtype);
// Throws InvalidArgument for a scalar type safetensors cannot hold (complex, quantised).
DType to_dtype(c10::ScalarType type);

// A CPU tensor owning a copy of the view's bytes, in the view's dtype and shape.
at::Tensor to_tensor(const TensorView& view);
// As to_tensor, converted to float32; integer and bool tensors are refused (FormatError naming file and tensor).
at::Tensor to_float_tensor(const TensorView& view, const std::filesystem::path& file);

// Writes CPU copies of the tensors (any device, any supported dtype) in the given order.
void save_tensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                  const std::map<std::string, std::string>& metadata = {});
// Every tensor of a file, as owning CPU tensors.
std::map<std::string, at::Tensor> load_tensors(const std::filesystem::path& path);

}  // namespace speechleak::encoder
