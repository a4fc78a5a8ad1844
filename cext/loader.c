/* loader.c - open a board driver library and validate its function table. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "boardlib_abi.h"

int bl_loader_open(const char *path, const bl_driver_v1_t **driver, void **handle,
                   char *errbuf, size_t errlen)
{
    void *h;
    bl_driver_entry_fn entry;
    const bl_driver_v1_t *table;

    *driver = NULL;
    *handle = NULL;
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(errbuf, errlen, "cannot load %s: %s", path, dlerror());
        return BL_ENODEV;
    }
    dlerror();
    entry = (bl_driver_entry_fn) dlsym(h, BL_ENTRY_SYMBOL);
    if (entry == NULL) {
        const char *why = dlerror();
        snprintf(errbuf, errlen, "%s does not export %s: %s", path, BL_ENTRY_SYMBOL,
                 why ? why : "symbol is NULL");
        dlclose(h);
        return BL_ENOTSUP;
    }
    table = entry();
    if (table == NULL) {
        snprintf(errbuf, errlen, "%s: %s() returned NULL", path, BL_ENTRY_SYMBOL);
        dlclose(h);
        return BL_ENOTSUP;
    }
    if (table->abi_version != BL_ABI_VERSION) {
        snprintf(errbuf, errlen, "%s speaks board ABI version %u, this boardlib speaks %d",
                 path, (unsigned) table->abi_version, BL_ABI_VERSION);
        dlclose(h);
        return BL_ENOTSUP;
    }
    if (table->struct_size < sizeof(bl_driver_v1_t)) {
        snprintf(errbuf, errlen, "%s: driver table is %u bytes, ABI version %d needs %u",
                 path, (unsigned) table->struct_size, BL_ABI_VERSION,
                 (unsigned) sizeof(bl_driver_v1_t));
        dlclose(h);
        return BL_ENOTSUP;
    }
    *driver = table;
    *handle = h;
    return BL_OK;
}

int bl_loader_close(void *handle)
{
    if (handle != NULL && dlclose(handle) != 0)
        return BL_EIO;
    return BL_OK;
}
