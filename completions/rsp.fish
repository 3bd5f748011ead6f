# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rsp_global_optspecs
    string join \n root= runroot= log-level= h/help V/version
end

function __fish_rsp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rsp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rsp_using_subcommand
    set -l cmd (__fish_rsp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rsp -n "__fish_rsp_needs_command" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_needs_command" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_needs_command" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsp -n "__fish_rsp_needs_command" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "version" -d 'Display the rsp version information'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "info" -d 'Display rsp and system information'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "rmi" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "image" -d 'Manage images'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "container" -d 'Manage containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "inspect" -d 'Display the configuration of containers or images'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand version" -s f -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand version" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand version" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand version" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand version" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand version" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand info" -s f -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand info" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand info" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand info" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand info" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand info" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pull" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand pull" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pull" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand images" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand images" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand images" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand images" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand images" -s a -l all -d 'Show all images (rsp has no intermediate images: same as without)'
complete -c rsp -n "__fish_rsp_using_subcommand images" -s q -l quiet -d 'Display only image IDs'
complete -c rsp -n "__fish_rsp_using_subcommand images" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand images" -l digests -d 'Show image digests'
complete -c rsp -n "__fish_rsp_using_subcommand images" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand images" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -s a -l all -d 'Remove all images'
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -s f -l force -d 'Force removal: also remove containers that use the image'
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "ls" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "rm" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "rmi" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "inspect" -d 'Display the configuration of an image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "exists" -d 'Check if an image exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s a -l all -d 'Show all images (rsp has no intermediate images: same as without)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s q -l quiet -d 'Display only image IDs'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l digests -d 'Show image digests'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (rsp has no intermediate images: same as without)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Display only image IDs'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show image digests'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal: also remove containers that use the image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -s a -l all -d 'Remove all images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -s f -l force -d 'Force removal: also remove containers that use the image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display the configuration of an image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if an image exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to copy it from rsp\'s environment)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l env-file -d 'Read environment variables from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l entrypoint -d 'Overwrite the image\'s default ENTRYPOINT' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s u -l user -d 'Username or UID, optionally with group (USER[:GROUP])' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s h -l hostname -d 'Set the container\'s host name' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s v -l volume -d 'Bind mount a volume (HOST-DIR:CONTAINER-DIR[:ro|rw])' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l network -l net -d 'Network mode: none (own namespace with loopback only), host (the host\'s network)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l pull -d 'When to pull the image: always, missing, never, newer' -r -f -a "always\t''
missing\t''
never\t''
newer\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l rm -d 'Remove the container when it exits'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l format -d 'Pretty-print containers to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s a -l all -d 'Show all the containers, default is only running containers'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s q -l quiet -d 'Print the numeric IDs of the containers only'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l no-trunc -d 'Display extended information (full IDs and commands)'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s f -l force -d 'Force removal of a running container'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s a -l all -d 'Remove all containers'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "ls" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "inspect" -d 'Display the configuration of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "exists" -d 'Check if a container exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Pretty-print containers to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all the containers, default is only running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Print the numeric IDs of the containers only'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Display extended information (full IDs and commands)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Pretty-print containers to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all the containers, default is only running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print the numeric IDs of the containers only'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Display extended information (full IDs and commands)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to copy it from rsp\'s environment)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read environment variables from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the image\'s default ENTRYPOINT' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID, optionally with group (USER[:GROUP])' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Set the container\'s host name' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a volume (HOST-DIR:CONTAINER-DIR[:ro|rw])' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l network -l net -d 'Network mode: none (own namespace with loopback only), host (the host\'s network)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'When to pull the image: always, missing, never, newer' -r -f -a "always\t''
missing\t''
never\t''
newer\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Remove the container when it exits'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of a running container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display the configuration of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if a container exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s t -l type -d 'Only inspect objects of this type (container, image)' -r -f -a "all\t''
container\t''
image\t''"
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "version" -d 'Display the rsp version information'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "info" -d 'Display rsp and system information'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "rmi" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "image" -d 'Manage images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "container" -d 'Manage containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "inspect" -d 'Display the configuration of containers or images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image run ps rm container inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Display the configuration of an image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "exists" -d 'Check if an image exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "inspect" -d 'Display the configuration of a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exists" -d 'Check if a container exists in local storage'
