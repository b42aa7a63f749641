#pragma once
// ncnn's text .param format: a magic line, "layers blobs", then one layer per line:
//   Type Name inputs outputs in_blob… out_blob… id=value… -233xx=n,v,v…
// Values are ints or floats (a '.' or an exponent makes a float); an id of -23300 - k is the
// array of param k. The parser keeps each layer's line number for the importer's messages.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlrt::detail::ncnn {

// One value of a layer's param dictionary: a number, or an array of them.
struct ParamValue {
    bool is_array = false;
    std::vector<float> values;  // one element for a scalar
    bool is_float = false;      // written with a '.' or an exponent
};

class ParamDict {
  public:
    void set(int id, ParamValue value) { values_[id] = std::move(value); }
    bool has(int id) const { return values_.count(id) != 0; }
    int get_int(int id, int fallback) const;
    float get_float(int id, float fallback) const;
    std::vector<float> get_array(int id) const;  // empty when absent
    std::vector<int> ids() const;

  private:
    std::map<int, ParamValue> values_;
};

struct Layer {
    std::string type;
    std::string name;
    int line = 0;  // 1-based, in the .param file
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
    ParamDict params;
};

struct Param {
    std::vector<Layer> layers;
};

// Throws mlrt::Error(InvalidModel) naming `path` and the line at fault.
Param parse_param(const std::string& text, const std::string& path);

}  // namespace mlrt::detail::ncnn
