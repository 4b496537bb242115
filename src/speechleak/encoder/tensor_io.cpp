#include "speechleak/encoder/tensor_io.h"

#include <ATen/ATen.h>

#include <cstring>

#include "speechleak/util/error.h"

namespace speechleak::encoder {

c10::ScalarType to_scalar_type(DType dtype) {
  switch (dtype) {
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::F64: return at::kDouble;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::BOOL: return at::kBool;
  }
  return at::kFloat;
}

DType to_dtype(c10::ScalarType type) {
  switch (type) {
    case at::kFloat: return DType::F32;
    case at::kHalf: return DType::F16;
    case at::kBFloat16: return DType::BF16;
    case at::kDouble: return DType::F64;
    case at::kLong: return DType::I64;
    case at::kInt: return DType::I32;
    case at::kShort: return DType::I16;
    case at::kChar: return DType::I8;
    case at::kByte: return DType::U8;
    case at::kBool: return DType::BOOL;
    default: break;
  }
  throw invalid_argument("tensor dtype", "a dtype safetensors can store", std::string(c10::toString(type)));
}

at::Tensor to_tensor(const TensorView& view) {
  auto t = at::empty(view.shape, at::TensorOptions().dtype(to_scalar_type(view.dtype)));
  // Copy rather than wrap: the mapping may be unaligned for the dtype and outlives nothing it is not told about.
  if (!view.bytes.empty()) std::memcpy(t.data_ptr(), view.bytes.data(), view.bytes.size());
  return t;
}

at::Tensor to_float_tensor(const TensorView& view, const std::filesystem::path& file) {
  switch (view.dtype) {
    case DType::F32:
    case DType::F16:
    case DType::BF16:
    case DType::F64: return to_tensor(view).to(at::kFloat);
    default:
      throw FormatError(file, "tensor '" + view.name + "': expected a floating-point dtype, got " +
                                  std::string(dtype_name(view.dtype)));
  }
}

void save_tensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                  const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> keep;  // owns the contiguous CPU copies until the write returns
  std::vector<TensorRecord> records;
  keep.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    keep.push_back(t.detach().to(at::kCPU).contiguous());
    const auto& c = keep.back();
    records.push_back(TensorRecord{name, to_dtype(c.scalar_type()), c.sizes().vec(),
                                   {static_cast<const std::byte*>(c.data_ptr()), c.nbytes()}});
  }
  write_safetensors(path, records, metadata);
}

std::map<std::string, at::Tensor> load_tensors(const std::filesystem::path& path) {
  auto file = SafetensorsFile::open(path);
  std::map<std::string, at::Tensor> out;
  for (const auto& v : file.tensors()) out.emplace(v.name, to_tensor(v));
  return out;
}

}  // namespace speechleak::encoder
