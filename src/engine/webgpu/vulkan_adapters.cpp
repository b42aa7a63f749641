// webgpu_adapters() on Linux: the Vulkan physical devices, read through the system's Vulkan loader
// (opened at run time, so that mlrt still starts, and runs on the CPU, where there is none).
#include <algorithm>
#include <string>
#include <vector>

#include "mlrt/webgpu.hpp"

#if defined(__linux__)
#define VK_NO_PROTOTYPES
#include <dlfcn.h>
#include <vulkan/vulkan.h>
#endif

namespace mlrt {
namespace {

std::string hex(std::uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 0xf]);
        v >>= 4;
    } while (v != 0);
    return "0x" + s;
}

std::string vendor_name(std::uint32_t id) {
    switch (id) {
        case 0x10de:
            return "NVIDIA";
        case 0x1002:
            return "AMD";
        case 0x8086:
            return "Intel";
        case 0x106b:
            return "Apple";
        case 0x13b5:
            return "ARM";
        case 0x5143:
            return "Qualcomm";
        case 0x10005:  // VK_VENDOR_ID_MESA
            return "Mesa";
        default:
            return hex(id);
    }
}

int preference(AdapterKind k) {
    switch (k) {
        case AdapterKind::DiscreteGpu:
            return 0;
        case AdapterKind::IntegratedGpu:
            return 1;
        case AdapterKind::VirtualGpu:
            return 2;
        case AdapterKind::Other:
            return 3;
        case AdapterKind::Software:
            return 4;
    }
    return 5;
}

#if defined(__linux__)

constexpr const char* kInstallHint =
    "install the Vulkan loader and your GPU's Vulkan driver (Debian/Ubuntu: libvulkan1, with "
    "mesa-vulkan-drivers for AMD and Intel GPUs or NVIDIA's driver packages for NVIDIA GPUs)";

// The loader library, closed again when the listing is done.
class VulkanLoader {
  public:
    VulkanLoader() : handle_(dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL)) {}
    ~VulkanLoader() {
        if (handle_) dlclose(handle_);
    }
    VulkanLoader(const VulkanLoader&) = delete;
    VulkanLoader& operator=(const VulkanLoader&) = delete;

    PFN_vkGetInstanceProcAddr entry() const {
        return handle_ ? reinterpret_cast<PFN_vkGetInstanceProcAddr>(
                             dlsym(handle_, "vkGetInstanceProcAddr"))
                       : nullptr;
    }

  private:
    void* handle_;
};

AdapterKind kind_of(VkPhysicalDeviceType t) {
    switch (t) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            return AdapterKind::DiscreteGpu;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            return AdapterKind::IntegratedGpu;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            return AdapterKind::VirtualGpu;
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            return AdapterKind::Software;
        default:
            return AdapterKind::Other;
    }
}

// What Dawn refuses a Vulkan device for, as far as mlrt can tell beforehand; empty if nothing.
std::string missing_for_dawn(const VkPhysicalDeviceProperties& p,
                             const VkPhysicalDeviceFeatures& f) {
    if (p.apiVersion < VK_API_VERSION_1_1) return "Vulkan 1.1";
    std::string missing;
    for (auto [have, name] : {std::pair{f.robustBufferAccess, "robustBufferAccess"},
                              std::pair{f.shaderUniformBufferArrayDynamicIndexing,
                                        "shaderUniformBufferArrayDynamicIndexing"},
                              std::pair{f.shaderStorageBufferArrayDynamicIndexing,
                                        "shaderStorageBufferArrayDynamicIndexing"},
                              std::pair{f.shaderSampledImageArrayDynamicIndexing,
                                        "shaderSampledImageArrayDynamicIndexing"},
                              std::pair{f.shaderStorageImageArrayDynamicIndexing,
                                        "shaderStorageImageArrayDynamicIndexing"}})
        if (have != VK_TRUE) missing += std::string(missing.empty() ? "" : ", ") + name;
    return missing;
}

struct Functions {
    PFN_vkCreateInstance create_instance = nullptr;
    PFN_vkDestroyInstance destroy_instance = nullptr;
    PFN_vkEnumeratePhysicalDevices enumerate = nullptr;
    PFN_vkGetPhysicalDeviceProperties2 properties2 = nullptr;
    PFN_vkGetPhysicalDeviceFeatures2 features2 = nullptr;
};

GpuAdapter read_device(const Functions& fn, VkPhysicalDevice device, std::string* refused) {
    VkPhysicalDeviceDriverProperties driver{};
    driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
    VkPhysicalDeviceProperties2 props{};
    props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    fn.properties2(device, &props);  // the plain properties first: they say the API version
    const bool v12 = props.properties.apiVersion >= VK_API_VERSION_1_2;
    if (v12) {
        props.pNext = &driver;
        fn.properties2(device, &props);
    }

    VkPhysicalDeviceShaderFloat16Int8Features f16{};
    f16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
    VkPhysicalDevice16BitStorageFeatures storage16{};
    storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    storage16.pNext = v12 ? &f16 : nullptr;
    VkPhysicalDeviceFeatures2 features{};
    features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    features.pNext = &storage16;
    fn.features2(device, &features);

    const VkPhysicalDeviceProperties& p = props.properties;
    GpuAdapter a;
    a.name = p.deviceName;
    a.vendor_id = p.vendorID;
    a.device_id = p.deviceID;
    a.vendor = vendor_name(p.vendorID);
    a.backend = "Vulkan";
    a.kind = kind_of(p.deviceType);
    a.driver = v12 && driver.driverName[0] != '\0'
                   ? std::string(driver.driverName) + " " + driver.driverInfo
                   : "driver version " + std::to_string(p.driverVersion);
    // Dawn's condition for WebGPU's shader-f16 on Vulkan.
    a.shader_f16 = v12 && f16.shaderFloat16 == VK_TRUE &&
                   storage16.storageBuffer16BitAccess == VK_TRUE &&
                   storage16.uniformAndStorageBuffer16BitAccess == VK_TRUE;
    *refused = missing_for_dawn(p, features.features);
    return a;
}

#endif

}  // namespace

const char* to_string(AdapterKind kind) noexcept {
    switch (kind) {
        case AdapterKind::DiscreteGpu:
            return "discrete GPU";
        case AdapterKind::IntegratedGpu:
            return "integrated GPU";
        case AdapterKind::VirtualGpu:
            return "virtual GPU";
        case AdapterKind::Software:
            return "software rasterizer";
        case AdapterKind::Other:
            return "other device";
    }
    return "?";
}

std::string describe(const GpuAdapter& a) {
    return a.name + " (" + a.vendor + ", " + a.backend + ", " + to_string(a.kind) +
           (a.shader_f16 ? ", shader-f16" : ", no shader-f16") + ")";
}

AdapterList webgpu_adapters() {
    AdapterList list;
#if defined(__linux__)
    const VulkanLoader loader;
    const PFN_vkGetInstanceProcAddr gipa = loader.entry();
    if (!gipa) {
        list.problem = std::string("no Vulkan loader (libvulkan.so.1) was found: ") + kInstallHint;
        return list;
    }
    Functions fn;
    fn.create_instance = reinterpret_cast<PFN_vkCreateInstance>(gipa(nullptr, "vkCreateInstance"));
    if (!fn.create_instance) {
        list.problem = "the Vulkan loader (libvulkan.so.1) is unusable: it has no vkCreateInstance";
        return list;
    }
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "mlrt";
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.pApplicationInfo = &app;
    VkInstance instance = VK_NULL_HANDLE;
    const VkResult created = fn.create_instance(&info, nullptr, &instance);
    if (created != VK_SUCCESS) {
        list.problem = created == VK_ERROR_INCOMPATIBLE_DRIVER
                           ? std::string("the Vulkan loader finds no driver: ") + kInstallHint
                           : "creating a Vulkan instance failed (VkResult " +
                                 std::to_string(static_cast<int>(created)) + ")";
        return list;
    }
    const auto get = [&](const char* name) { return gipa(instance, name); };
    fn.destroy_instance = reinterpret_cast<PFN_vkDestroyInstance>(get("vkDestroyInstance"));
    fn.enumerate =
        reinterpret_cast<PFN_vkEnumeratePhysicalDevices>(get("vkEnumeratePhysicalDevices"));
    fn.properties2 =
        reinterpret_cast<PFN_vkGetPhysicalDeviceProperties2>(get("vkGetPhysicalDeviceProperties2"));
    fn.features2 =
        reinterpret_cast<PFN_vkGetPhysicalDeviceFeatures2>(get("vkGetPhysicalDeviceFeatures2"));
    std::vector<VkPhysicalDevice> devices;
    if (fn.enumerate && fn.properties2 && fn.features2) {
        std::uint32_t count = 0;
        if (fn.enumerate(instance, &count, nullptr) == VK_SUCCESS && count > 0) {
            devices.resize(count);
            if (fn.enumerate(instance, &count, devices.data()) < VK_SUCCESS) devices.clear();
            devices.resize(std::min<std::size_t>(devices.size(), count));
        }
    } else {
        list.problem =
            "the Vulkan loader lacks Vulkan 1.1 (vkGetPhysicalDeviceFeatures2): update it";
    }
    std::string refusals;
    for (VkPhysicalDevice d : devices) {
        std::string refused;
        GpuAdapter a = read_device(fn, d, &refused);
        if (refused.empty())
            list.adapters.push_back(std::move(a));
        else
            refusals += std::string(refusals.empty() ? "" : "; ") + a.name + " (" + a.driver +
                        ") lacks what WebGPU needs: " + refused;
    }
    if (fn.destroy_instance) fn.destroy_instance(instance, nullptr);

    std::stable_sort(list.adapters.begin(), list.adapters.end(),
                     [](const GpuAdapter& x, const GpuAdapter& y) {
                         return preference(x.kind) < preference(y.kind);
                     });
    for (std::size_t i = 0; i < list.adapters.size(); ++i)
        list.adapters[i].index = static_cast<int>(i);
    if (!refusals.empty())
        list.problem = refusals + ": update the Vulkan driver";
    else if (list.adapters.empty() && list.problem.empty())
        list.problem = std::string("the Vulkan loader lists no device: ") + kInstallHint;
#else
    list.problem =
        "mlrt lists WebGPU adapters through Vulkan on Linux only; here ONNX Runtime picks the "
        "adapter itself (by power preference)";
#endif
    return list;
}

}  // namespace mlrt
