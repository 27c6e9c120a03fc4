; Inno Setup script: a Windows installer around the PyInstaller bundle.
; NOT TESTED in this repository's CI (Linux only). Build on Windows:
;   py -3.11 -m venv .venv && .venv\Scripts\pip install -e ".[bundle]"
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\strokescope.spec
;   iscc installer\windows\strokescope.iss        (Inno Setup 6)
; The spec builds strokescope.exe (console) and strokescope-gui.exe (windowed) on Windows and
; expects installer\strokescope.ico (convert installer\linux\strokescope.png, e.g. with
; ImageMagick: magick strokescope.png -define icon:auto-resize=256,64,48,32,16 strokescope.ico).

#define AppName "StrokeScope"
#define AppVersion GetEnv("STROKESCOPE_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C2B8E3A-6F1D-4F7E-9B51-5A0F3C1E7D21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=StrokeScope contributors
AppComments=Research use only, not for diagnosis.
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=StrokeScope-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
LicenseFile=..\..\dist\StrokeScope\ABOUT.txt
SetupIconFile=..\strokescope.ico
UninstallDisplayIcon={app}\strokescope-gui.exe

[Files]
Source: "..\..\dist\StrokeScope\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\strokescope-gui.exe"
Name: "{group}\About and licences"; Filename: "{app}\ABOUT.txt"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\strokescope-gui.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop icon"; Flags: unchecked

[Run]
Filename: "{app}\strokescope-gui.exe"; Description: "Start StrokeScope"; Flags: nowait postinstall skipifsilent
