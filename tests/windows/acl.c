/* The Windows test run's view of a DACL, through the Win32 API (Wine has
 * icacls.exe, but not the SDDL round trip the checks compare):
 *   acl get PATH        prints the DACL of PATH in SDDL (D:P(A;;FA;;;S-...))
 *   acl set PATH SDDL   puts the DACL of SDDL on PATH (protected if D:P)
 *   acl me              prints the current user's SID
 * Built by scripts/windows with mingw-w64; exit 0 on success. */
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <stdio.h>

static int get(const wchar_t *path) {
    PSECURITY_DESCRIPTOR sd = NULL;
    LPWSTR s = NULL;
    DWORD rc = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                                     NULL, NULL, NULL, NULL, &sd);
    if (rc != 0) { fprintf(stderr, "GetNamedSecurityInfoW: %lu\n", rc); return 1; }
    if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
            DACL_SECURITY_INFORMATION, &s, NULL)) return 1;
    wprintf(L"%ls\n", s);
    LocalFree(s);
    LocalFree(sd);
    return 0;
}

static int set(const wchar_t *path, const wchar_t *sddl) {
    PSECURITY_DESCRIPTOR sd = NULL;
    PACL dacl = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD rev = 0, rc;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) {
        fprintf(stderr, "bad SDDL\n");
        return 1;
    }
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    GetSecurityDescriptorControl(sd, &control, &rev);
    rc = SetNamedSecurityInfoW((LPWSTR)path, SE_FILE_OBJECT,
        DACL_SECURITY_INFORMATION | ((control & SE_DACL_PROTECTED)
            ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION),
        NULL, NULL, dacl, NULL);
    LocalFree(sd);
    if (rc != 0) { fprintf(stderr, "SetNamedSecurityInfoW: %lu\n", rc); return 1; }
    return 0;
}

static int me(void) {
    HANDLE token;
    BYTE buf[512];
    DWORD len = 0;
    LPWSTR s = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return 1;
    if (!GetTokenInformation(token, TokenUser, buf, sizeof buf, &len)) return 1;
    if (!ConvertSidToStringSidW(((TOKEN_USER *)buf)->User.Sid, &s)) return 1;
    wprintf(L"%ls\n", s);
    LocalFree(s);
    return 0;
}

int wmain(int argc, wchar_t **argv) {
    if (argc == 3 && !wcscmp(argv[1], L"get")) return get(argv[2]);
    if (argc == 4 && !wcscmp(argv[1], L"set")) return set(argv[2], argv[3]);
    if (argc == 2 && !wcscmp(argv[1], L"me")) return me();
    fprintf(stderr, "usage: acl get PATH | acl set PATH SDDL | acl me\n");
    return 2;
}
