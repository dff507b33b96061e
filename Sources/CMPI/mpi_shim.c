#include "mpi_shim.h"
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// Open MPI's handles are addresses of its predefined objects (mpi.h: OMPI_PREDEFINED_GLOBAL), and
// MPI_IN_PLACE is the address 1; Open MPI 4 and 5 keep this ABI.
typedef void *Handle;
#define IN_PLACE ((void *)1)

static struct {
    int (*init)(int *, char ***);
    int (*finalize)(void);
    int (*comm_rank)(Handle, int *);
    int (*comm_size)(Handle, int *);
    int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
    int (*bcast)(void *, int, Handle, int, Handle);
    int (*allgather)(const void *, int, Handle, void *, int, Handle, Handle);
    int (*barrier)(Handle);
    int (*abort)(Handle, int);
    int (*library_version)(char *, int *);
    Handle world, float_type, double_type, byte_type, sum;
} mpi;

static int resolve(void *library, const char *name, void **slot, char *why, int why_size) {
    *slot = dlsym(library, name);
    if (*slot) return 0;
    snprintf(why, why_size, "the MPI library has no symbol %s (mtmc needs Open MPI 4 or later)", name);
    return -1;
}

int mtmc_mpi_load(const char *path, char *why, int why_size) {
    const char *name = path ? path : "libmpi.so.40";
    // RTLD_GLOBAL: Open MPI's own plugins, loaded later, look up libmpi's symbols globally.
    void *library = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        snprintf(why, why_size, "cannot load %s: %s", name, dlerror());
        return -1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init", (void **)&mpi.init}, {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank}, {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Allreduce", (void **)&mpi.allreduce}, {"MPI_Bcast", (void **)&mpi.bcast},
        {"MPI_Allgather", (void **)&mpi.allgather}, {"MPI_Barrier", (void **)&mpi.barrier},
        {"MPI_Abort", (void **)&mpi.abort}, {"MPI_Get_library_version", (void **)&mpi.library_version},
        {"ompi_mpi_comm_world", &mpi.world}, {"ompi_mpi_float", &mpi.float_type},
        {"ompi_mpi_double", &mpi.double_type}, {"ompi_mpi_byte", &mpi.byte_type}, {"ompi_mpi_op_sum", &mpi.sum},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
        if (resolve(library, symbols[i].name, symbols[i].slot, why, why_size) != 0) return -1;
    return 0;
}

int mtmc_mpi_init(void) { return mpi.init(NULL, NULL); }

int mtmc_mpi_rank(void) {
    int rank = 0;
    mpi.comm_rank(mpi.world, &rank);
    return rank;
}

int mtmc_mpi_size(void) {
    int size = 1;
    mpi.comm_size(mpi.world, &size);
    return size;
}

int mtmc_mpi_sum_doubles(double *values, int count) {
    return mpi.allreduce(IN_PLACE, values, count, mpi.double_type, mpi.sum, mpi.world);
}

int mtmc_mpi_sum_floats(float *values, int count) {
    return mpi.allreduce(IN_PLACE, values, count, mpi.float_type, mpi.sum, mpi.world);
}

int mtmc_mpi_broadcast(void *bytes, int count, int root) { return mpi.bcast(bytes, count, mpi.byte_type, root, mpi.world); }

int mtmc_mpi_gather_all(const void *mine, void *all, int count) {
    return mpi.allgather(mine, count, mpi.byte_type, all, count, mpi.byte_type, mpi.world);
}

int mtmc_mpi_barrier(void) { return mpi.barrier(mpi.world); }

void mtmc_mpi_abort(int code) { mpi.abort(mpi.world, code); }

int mtmc_mpi_finalize(void) { return mpi.finalize(); }

void mtmc_mpi_library_version(char *out, int size) {
    char text[8192] = {0};  // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI 4, larger elsewhere
    int length = 0;
    mpi.library_version(text, &length);
    snprintf(out, size, "%s", text);
}
