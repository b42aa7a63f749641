// The providers' part of the backend types, written once: detail::OrtProvider over a provider's
// fields() table, with Codec (backend_fields.hpp) saying what each field type needs. Instantiated
// here, and so exported, for the four providers.
#include <array>
#include <string>
#include <tuple>

#include "config/arg_reader.hpp"
#include "config/backend_fields.hpp"
#include "config/hash_combine.hpp"
#include "mlrt/config/backends.hpp"

namespace mlrt::config::detail {
namespace {

// The reference's class names are ORT_ and the provider: ORT_CUDA for "CUDA".
template <class D>
std::string type_name() {
    return "ORT_" + std::string(D::provider);
}

template <class D, class F>
void for_each_field(F&& f) {
    std::apply([&](const auto&... field) { (f(field), ...); }, D::fields());
}

template <class O>
ORT::Options shared_of(const O& o) {
    ORT::Options shared;
    copy_shared(shared, o);
    return shared;
}

}  // namespace

template <class D, class O>
OrtProvider<D, O>::OrtProvider(const Options& o) : ORT(shared_of(o), type_name<D>()) {
    for_each_field<D>([&](const auto& f) {
        own_.*f.member = o.*f.member;
        if (auto problem = codec(f).problem(own_.*f.member))
            fail_argument(type_name<D>(), f.name, *problem);
    });
}

template <class D, class O>
D OrtProvider<D, O>::from_fields(const ArgMap& fields) {
    const ArgReader r(fields, type_name<D>());
    const auto own_names = std::apply(
        [](const auto&... f) { return std::array<std::string_view, sizeof...(f)>{f.name...}; },
        D::fields());
    Options o;
    copy_shared(o, read_shared(r, own_names));
    for_each_field<D>([&](const auto& f) {
        if (auto v = codec(f).read(r, f.name)) o.*f.member = *v;
    });
    return D(o);
}

template <class D, class O>
typename OrtProvider<D, O>::Options OrtProvider<D, O>::options() const {
    Options o = own_;
    copy_shared(o, ORT::options());
    return o;
}

template <class D, class O>
ArgMap OrtProvider<D, O>::get_args() const {
    ArgMap args = shared_args(*this, D::provider);
    for_each_field<D>(
        [&](const auto& f) { args[std::string(f.name)] = codec(f).arg(own_.*f.member); });
    return args;
}

template <class D, class O>
std::string OrtProvider<D, O>::repr() const {
    std::string s = shared_repr(type_name<D>(), *this);
    for_each_field<D>([&](const auto& f) {
        s += ", " + std::string(f.name) + "=" + codec(f).repr(own_.*f.member);
    });
    return s + ")";
}

template <class D, class O>
std::size_t OrtProvider<D, O>::hash() const noexcept {
    std::size_t h = std::hash<ORT>{}(*this);
    for_each_field<D>([&](const auto& f) { hash_combine(h, own_.*f.member); });
    return h;
}

template class OrtProvider<ORT_CPU, ORT::Options>;
template class OrtProvider<ORT_CUDA, CudaOptions>;
template class OrtProvider<ORT_DML, DmlOptions>;
template class OrtProvider<ORT_COREML, CoremlOptions>;
template class OrtProvider<ORT_WEBGPU, WebgpuOptions>;

}  // namespace mlrt::config::detail
