/* Wine 8.0 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng
 * Rust's std calls on every Windows 10+ for random bytes. This stand-in is
 * built by scripts/windows into the Wine test prefix only: ProcessPrng on
 * top of RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
