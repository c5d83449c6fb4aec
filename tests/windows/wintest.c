/* The Windows test run's hands inside Wine, through the Win32 API (Wine
 * has icacls.exe, but not the SDDL round trip the checks compare, and no
 * cmdkey.exe):
 *   wintest get PATH          prints the DACL of PATH in SDDL (D:P(A;;FA;;;S-...))
 *   wintest set PATH SDDL     puts the DACL of SDDL on PATH (protected if D:P)
 *   wintest me                prints the current user's SID
 *   wintest cred-set TARGET   stores stdin as the blob of generic credential TARGET
 *   wintest cred-get TARGET   prints the blob of generic credential TARGET
 *   wintest cred-list FILTER  prints the generic credentials' targets matching FILTER
 * Built by scripts/windows with mingw-w64; exit 0 on success, 3 not found. */
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <wincred.h>
#include <stdio.h>
#include <io.h>
#include <fcntl.h>

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

static int cred_set(const wchar_t *target) {
    static BYTE blob[4096];
    size_t n = 0, r;
    CREDENTIALW c;
    _setmode(_fileno(stdin), _O_BINARY);
    while (n < sizeof blob && (r = fread(blob + n, 1, sizeof blob - n, stdin)) > 0) n += r;
    ZeroMemory(&c, sizeof c);
    c.Type = CRED_TYPE_GENERIC;
    c.TargetName = (LPWSTR)target;
    c.CredentialBlobSize = (DWORD)n;
    c.CredentialBlob = blob;
    c.Persist = CRED_PERSIST_LOCAL_MACHINE;
    c.Comment = L"written by the keyturn Windows test run";
    if (!CredWriteW(&c, 0)) { fprintf(stderr, "CredWriteW: %lu\n", GetLastError()); return 1; }
    return 0;
}

static int cred_get(const wchar_t *target) {
    PCREDENTIALW c = NULL;
    if (!CredReadW(target, CRED_TYPE_GENERIC, 0, &c)) return GetLastError() == ERROR_NOT_FOUND ? 3 : 1;
    _setmode(_fileno(stdout), _O_BINARY);
    fwrite(c->CredentialBlob, 1, c->CredentialBlobSize, stdout);
    if (c->Comment) fwprintf(stderr, L"comment: %ls\n", c->Comment);
    CredFree(c);
    return 0;
}

static int cred_list(const wchar_t *filter) {
    DWORD count = 0, i;
    PCREDENTIALW *list = NULL;
    if (!CredEnumerateW(filter, 0, &count, &list)) return GetLastError() == ERROR_NOT_FOUND ? 0 : 1;
    for (i = 0; i < count; i++) wprintf(L"%ls\n", list[i]->TargetName);
    CredFree(list);
    return 0;
}

int wmain(int argc, wchar_t **argv) {
    if (argc == 3 && !wcscmp(argv[1], L"cred-set")) return cred_set(argv[2]);
    if (argc == 3 && !wcscmp(argv[1], L"cred-get")) return cred_get(argv[2]);
    if (argc == 3 && !wcscmp(argv[1], L"cred-list")) return cred_list(argv[2]);
    if (argc == 3 && !wcscmp(argv[1], L"get")) return get(argv[2]);
    if (argc == 4 && !wcscmp(argv[1], L"set")) return set(argv[2], argv[3]);
    if (argc == 2 && !wcscmp(argv[1], L"me")) return me();
    fprintf(stderr, "usage: wintest get PATH | set PATH SDDL | me | cred-set|cred-get|cred-list TARGET\n");
    return 2;
}
