# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rsp_global_optspecs
    string join \n root= runroot= storage-driver= log-level= h/help V/version
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
complete -c rsp -n "__fish_rsp_needs_command" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_needs_command" -f -a "tag" -d 'Add an additional name to a local image'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "untag" -d 'Remove a name from a local image'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "container" -d 'Manage containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "inspect" -d 'Display the configuration of containers or images'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "create" -d 'Create but do not start a container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "start" -d 'Start one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "stop" -d 'Stop one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "kill" -d 'Kill one or more running containers with a specific signal'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "restart" -d 'Restart one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "wait" -d 'Block on one or more containers and print their exit codes'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "rename" -d 'Rename an existing container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "update" -d 'Change a container\'s resource limits (at once while it runs, and for its next starts)'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "logs" -d 'Fetch the logs of one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "attach" -d 'Attach to a running container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "exec" -d 'Run a process in a running container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "top" -d 'Display the running processes of a container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "port" -d 'List port mappings of a container'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "cp" -d 'Copy files and folders between a container and the local filesystem'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "pause" -d 'Pause all the processes in one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "unpause" -d 'Unpause the processes in one or more containers'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "stats" -d 'Display a live stream of container resource usage statistics'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "events" -d 'Show rsp events'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "system" -d 'Manage rsp itself: information, reset'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "volume" -d 'Manage volumes'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "network" -d 'Manage networks'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "pod" -d 'Manage pods'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "diff" -d 'Inspect changes to a container\'s or an image\'s filesystem'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "export" -d 'Export a container\'s filesystem contents as a tar archive'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "import" -d 'Import a tarball to create a filesystem image'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "push" -d 'Push an image to a registry'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "save" -d 'Save images to an archive (docker-archive, oci-archive or oci-dir)'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "load" -d 'Load images from an archive made by save, docker save, podman save or skopeo'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "login" -d 'Log in to a container registry'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "logout" -d 'Log out of a container registry'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "search" -d 'Search a registry for images'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "manifest" -d 'Inspect manifests and manifest lists in registries'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "buildx" -d 'Docker Buildx compatibility: build images'
complete -c rsp -n "__fish_rsp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand version" -s f -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand version" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand version" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand version" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand info" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pull" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand images" -s f -l filter -d 'Filter output based on conditions given (dangling=, label=, label!=, reference=, before=, since=, until=, id=, containers=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand images" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand images" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand images" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand images" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand images" -s a -l all -d 'Show all images, the intermediate images of builds too'
complete -c rsp -n "__fish_rsp_using_subcommand images" -s q -l quiet -d 'Display only image IDs'
complete -c rsp -n "__fish_rsp_using_subcommand images" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand images" -l digests -d 'Show image digests'
complete -c rsp -n "__fish_rsp_using_subcommand images" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand images" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rmi" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "ls" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "rm" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "rmi" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "inspect" -d 'Display the configuration of an image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "exists" -d 'Check if an image exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "diff" -d 'Inspect changes to an image\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "import" -d 'Import a tarball to create a filesystem image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "push" -d 'Push an image to a registry'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "save" -d 'Save images to an archive (docker-archive, oci-archive or oci-dir)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "load" -d 'Load images from an archive made by save, docker save, podman save or skopeo'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "search" -d 'Search a registry for images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "tag" -d 'Add an additional name to a local image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "untag" -d 'Remove a name from a local image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "history" -d 'Show the history of an image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "prune" -d 'Remove unused images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "tree" -d 'Print the layers of an image as a tree, with the images whose top layer each one is'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_using_subcommand image; and not __fish_seen_subcommand_from images ls pull rm rmi inspect exists diff import push save load search tag untag history prune tree build help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s f -l filter -d 'Filter output based on conditions given (dangling=, label=, label!=, reference=, before=, since=, until=, id=, containers=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s a -l all -d 'Show all images, the intermediate images of builds too'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s q -l quiet -d 'Display only image IDs'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -l digests -d 'Show image digests'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from images" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions given (dangling=, label=, label!=, reference=, before=, since=, until=, id=, containers=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images, the intermediate images of builds too'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Display only image IDs'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show image digests'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from pull" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from rmi" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -l format -d 'Output format: json' -r -f -a "json\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Apply a Dockerfile instruction to the image config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -s m -l message -d 'Set the commit message, recorded in the image\'s history' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only the new image\'s ID'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l compression-format -d 'Compression for layers the registry does not have yet: gzip or zstd' -r -f -a "gzip\t''
zstd\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l compression-level -d 'Compression level (gzip 0-9, zstd 1-19)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -s f -l format -d 'Manifest format to write: oci or v2s2 (Docker schema 2, gzip only)' -r -f -a "oci\t''
v2s2\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l digestfile -d 'Write the digest of the pushed manifest to this file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Suppress output information when pushing images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from push" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to this file (or, for oci-dir, this new directory) instead of standard output' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -l format -d 'Archive format: docker-archive (as docker save), oci-archive, or oci-dir (an OCI layout directory)' -r -f -a "docker-archive\t''
oci-archive\t''
oci-dir\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -s q -l quiet -d 'Print nothing but errors'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -s m -l multi-image-archive -d 'Save every IMAGE named into one docker-archive (without it, names after the first are extra tags for the first image)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from save" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d 'Read from this archive (or OCI layout directory) instead of standard input' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Print nothing but errors'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from load" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l limit -d 'Maximum number of results' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l list-tags -d 'List the tags of the image named by TERM'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -l no-trunc -d 'Do not truncate the output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from search" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tag" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tag" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tag" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from untag" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from untag" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from untag" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from untag" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from untag" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from untag" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Display sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Change the output to JSON or a Go template (.ID .Created .CreatedAt .CreatedSince .CreatedBy .Size .Comment .Tags)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Do not truncate the output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Display the numeric IDs only'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Only images matching (until=, label=, label!=, dangling=, reference=, before=, since=, id=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all images not in use by containers, not just dangling ones'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -l whatrequires -d 'Show the images built on this one and the layers they add'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from tree" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name (and tag) for the image; repeat for several' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -s f -l file -d 'The Containerfile to build (`-`: read it from stdin); default: Containerfile, else Dockerfile, in the context' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l target -d 'Build up to this stage (its name) only, skipping stages it does not need' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l build-arg -d 'Set a build argument (KEY=VALUE, or KEY to take rsp\'s own environment variable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l build-arg-file -d 'Read build arguments from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l pull -d 'Pull base images: always, missing (default), never or newer; `--pull` alone is always' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l layers -d 'Keep every step as an image and use the build cache (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l label -d 'Add a label to the image (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l annotation -d 'Add an annotation to the image (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to this file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l format -d 'Manifest format of the image: oci (default) or docker' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l network -d 'Network of RUN steps: default (also bridge), none, host or slirp4netns[:OPTIONS]' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l platform -d 'Platform to build for: only this machine\'s (OS/ARCH[/VARIANT])' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l secret -d 'A secret for `RUN --mount=type=secret`: id=ID,src=FILE or id=ID,env=VAR' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l build-context -d 'An extra context for `COPY --from=NAME`: NAME=DIR or NAME=docker-image://IMAGE' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -s o -l output -d 'Export the final stage\'s files: type=local,dest=DIR, type=tar,dest=FILE (`-`: stdout) or DIR' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l cache-from -d 'A registry repository to look for cached steps in (tagged with their cache keys)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l cache-to -d 'A registry repository to push each step\'s image to, tagged with its cache key' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l progress -d 'Progress output: auto (tty on a terminal), plain, or tty (steps timed)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l jobs -d 'Most stages built at the same time (0: every stage that is ready)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l ignorefile -d 'Ignore file to use instead of the context\'s .containerignore or .dockerignore' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cached steps: run every step again'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l squash -d 'Squash the layers the build adds into one'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -l squash-all -d 'Squash every layer, the base image\'s included, into one'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Print only the image ID; no step output, no RUN output'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from build" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display the configuration of an image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if an image exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Inspect changes to an image\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import a tarball to create a filesystem image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "push" -d 'Push an image to a registry'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "save" -d 'Save images to an archive (docker-archive, oci-archive or oci-dir)'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "load" -d 'Load images from an archive made by save, docker save, podman save or skopeo'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "search" -d 'Search a registry for images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Add an additional name to a local image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "untag" -d 'Remove a name from a local image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "history" -d 'Show the history of an image'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused images'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tree" -d 'Print the layers of an image as a tree, with the images whose top layer each one is'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand tag" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand tag" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand tag" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand tag" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand tag" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand tag" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand untag" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand untag" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand untag" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand untag" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand untag" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand untag" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand history" -s H -l human -d 'Display sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand history" -l format -d 'Change the output to JSON or a Go template (.ID .Created .CreatedAt .CreatedSince .CreatedBy .Size .Comment .Tags)' -r
complete -c rsp -n "__fish_rsp_using_subcommand history" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand history" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand history" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand history" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand history" -l no-trunc -d 'Do not truncate the output'
complete -c rsp -n "__fish_rsp_using_subcommand history" -s q -l quiet -d 'Display the numeric IDs only'
complete -c rsp -n "__fish_rsp_using_subcommand history" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand history" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to copy it from rsp\'s environment)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l env-file -d 'Read environment variables from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l entrypoint -d 'Overwrite the image\'s default ENTRYPOINT' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s u -l user -d 'Username or UID, optionally with group (USER[:GROUP])' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l userns -d 'User namespace mode: keep-id[:uid=UID,gid=GID] runs the container as your own uid and gid (or those given), with an /etc/passwd entry and home for you; "" (the default) maps your uid to the container\'s user. host, auto, nomap, ns: and container: are refused: rsp maps one id, in a user namespace of its own' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l group-add -d 'Add a supplementary group for the container\'s user: a GID or a group name from the image\'s /etc/group (keep-groups is refused: rsp maps one id)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s h -l hostname -d 'Set the container\'s host name' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s v -l volume -d 'Mount a volume: HOST-DIR:CTR (a bind mount), NAME:CTR (a named volume, made if missing) or CTR (an anonymous volume), with options ro, rw, z, Z, U, O, nocopy, bind, rbind, propagation, [no]exec, [no]suid, [no]dev' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l mount -d 'Attach a filesystem mount: type=bind|volume|tmpfs|image|devpts,src=...,dst=...[,ro][,options]' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l tmpfs -d 'Mount a new tmpfs: CONTAINER-DIR[:size=,mode=,noexec,...] (filled with the image\'s files there unless notmpcopyup)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l volumes-from -d 'Mount every volume and bind mount of another container: CONTAINER[:ro|rw]' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l image-volume -d 'What the image\'s VOLUMEs become: bind (anonymous volumes), tmpfs or ignore' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l detach-keys -d 'Key sequence for detaching a container (ctrl-<value> or a character, comma-separated; "" disables)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l restart -d 'Restart policy when the container exits: no, on-failure[:MAX], always, unless-stopped' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l cgroups -d 'Whether the container gets a cgroup of its own where the user has one delegated: enabled, disabled, or no-conmon (the same as enabled: rsp\'s monitor never gets a cgroup of its own). split is refused: there is no monitor cgroup to split off' -r -f -a "enabled\t''
disabled\t''
no-conmon\t''
split\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l owners -d 'Owners and ids: image (the default: the owners and modes the image records, and each process\'s own user and group ids, so su, setpriv, gosu, servers that drop privileges and apt\'s sandbox work; emulated through seccomp user notification on x86_64 and aarch64 builds) or user (every file the container user\'s and one uid for every process, at full speed)' -r -f -a "image\t''
user\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l stop-signal -d 'Signal to stop the container with (default: the image\'s StopSignal or SIGTERM)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l stop-timeout -d 'Seconds to wait before forcibly stopping the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l device -d 'Give the container a device node of the host you can read and write (HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse; PERMISSIONS rw or rwm); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l sysctl -d 'Kernel parameter of the container\'s own namespaces (KEY=VALUE: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* with its own network); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l cap-add -d 'Add Linux capabilities to the default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): NAME or CAP_NAME, or ALL; comma-separated or repeated. A non-root --user gets only the added ones. All within the container\'s user namespace' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities from the default set: NAME or CAP_NAME, or ALL; comma-separated or repeated' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l security-opt -d 'Security options: no-new-privileges[=true|false] (setuid files raise nothing), seccomp=unconfined|PROFILE.json (no filter, or a Docker/Podman JSON profile instead of rsp\'s default), mask=PATH[:PATH...] (hide more paths), unmask=PATH[:PATH...]|ALL (leave default masked or read-only paths alone), label=disable (rsp applies no SELinux labels); others are refused' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l read-only-tmpfs -d 'With --read-only, mount a tmpfs on /tmp, /var/tmp and /run (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l ulimit -d 'Resource limit for the container\'s processes (TYPE=SOFT[:HARD], e.g. nofile=1024:2048; -1 is unlimited); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s m -l memory -d 'Memory limit (e.g. 512m, 1g; at least 6m): the container\'s processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l memory-swap -d 'Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l memory-reservation -d 'Memory the container is guaranteed under pressure (a soft limit, below --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l cpus -d 'CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s c -l cpu-shares -d 'CPU shares, a relative weight (2 to 262144; 1024 is the default)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l cpu-weight -d 'CPU weight, cgroup v2\'s own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l cpuset-cpus -d 'CPUs the container may run on (e.g. 0-1,3)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l pids-limit -d 'Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l blkio-weight -d 'Block IO weight, relative (10 to 1000)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l log-driver -d 'Logging driver: k8s-file, none, passthrough' -r -f -a "k8s-file\t''
none\t''
passthrough\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l log-opt -d 'Logging driver options: max-size=SIZE (the log is emptied at SIZE), max-file=N (with max-size: rotated instead, keeping N files), path=FILE (where the log file goes), tag=TAG (shown by inspect)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l sig-proxy -d 'Proxy received signals to the container process' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l network -l net -d 'Network mode: slirp[:OPTS] (the default: own namespace served by rsp\'s userspace stack; slirp4netns[:OPTS], and default, private and pasta without options, name it too), none (loopback only), host (the host\'s network), or the name of a network made with `rsp network create`. OPTS: allow_host_loopback=true|false, port_handler=rootlesskit|slirp, mtu=N' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l network-alias -d 'Another name for the container on its network (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l pod -d 'Run in this pod (new:NAME makes it), sharing its namespaces' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l ip -d 'The container\'s IPv4 address on its network' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l mac-address -d 'The container\'s MAC address on its own interface' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l dns -d 'A DNS server for /etc/resolv.conf instead of rsp\'s (repeatable; none: keep the image\'s file)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l dns-search -d 'A DNS search domain for /etc/resolv.conf (repeatable; . for none)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l dns-option -l dns-opt -d 'A resolver option for /etc/resolv.conf (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l add-host -d 'Add a line to /etc/hosts: NAME:IP (host-gateway: rsp\'s gateway, 10.0.2.2)' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -s p -l publish -d 'Publish a container\'s port to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l expose -d 'Expose a port or range, as the image\'s EXPOSE does: shown by inspect, kept by commit, published by -P' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l pull -d 'When to pull the image: always, missing, never, newer (only when the registry\'s image differs from the local one; the local one if the registry cannot be reached)' -r -f -a "always\t''
missing\t''
never\t''
newer\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand run" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand run" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand run" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand run" -s d -l detach -d 'Run the container in the background and print its ID'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes (rsp itself as pid 1, out of the container\'s reach: non-dumpable, no capabilities, a seccomp allow-list)'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l privileged -d 'Give the container every capability, no seccomp filter and no masked or read-only kernel paths (it still has nothing beyond its user namespace: nothing you do not have)'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem read-only (volumes and the tmpfs of --read-only-tmpfs stay writable)'
complete -c rsp -n "__fish_rsp_using_subcommand run" -l no-hosts -d 'Do not create /etc/hosts: keep the image\'s'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s P -l publish-all -d 'Publish every port the image exposes to a free host port'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand run" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s f -l filter -d 'Filter output based on conditions given (status=, name=, id=, label=, ancestor=, exited=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s n -l last -d 'Print the n last created containers (includes all states)' -r
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l format -d 'Pretty-print containers to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l pod -d 'Show the pod of each container (POD ID and PODNAME columns)'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s a -l all -d 'Show all the containers, default is only running containers'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s l -l latest -d 'Act on the latest container created'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s s -l size -d 'Display the total file sizes'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s q -l quiet -d 'Print the numeric IDs of the containers only'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l no-trunc -d 'Display extended information (full IDs and commands)'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -l external -d 'Also show the containers of builds in progress (Podman\'s external containers)'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand ps" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it (default: kill at once)' -r
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s f -l force -d 'Force removal of a running container'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s v -l volumes -d 'Remove the anonymous volumes made for the container (-v /path, the image\'s VOLUMEs) that no other container uses'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s a -l all -d 'Remove all containers'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "ls" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "inspect" -d 'Display the configuration of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "exists" -d 'Check if a container exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "create" -d 'Create but do not start a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "start" -d 'Start one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "stop" -d 'Stop one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "kill" -d 'Kill one or more running containers with a specific signal'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "restart" -d 'Restart one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "wait" -d 'Block on one or more containers and print their exit codes'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "rename" -d 'Rename an existing container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "update" -d 'Change a container\'s resource limits (at once while it runs, and for its next starts)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "logs" -d 'Fetch the logs of one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "attach" -d 'Attach to a running container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "exec" -d 'Run a process in a running container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "top" -d 'Display the running processes of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "port" -d 'List port mappings of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "cp" -d 'Copy files and folders between a container and the local filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "pause" -d 'Pause all the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "unpause" -d 'Unpause the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "stats" -d 'Display a live stream of container resource usage statistics'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "prune" -d 'Remove all stopped containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "diff" -d 'Inspect changes to a container\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "export" -d 'Export a container\'s filesystem contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand container; and not __fish_seen_subcommand_from ps ls run rm inspect exists create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats prune commit diff export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output based on conditions given (status=, name=, id=, label=, ancestor=, exited=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Print the n last created containers (includes all states)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Pretty-print containers to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l pod -d 'Show the pod of each container (POD ID and PODNAME columns)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all the containers, default is only running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Act on the latest container created'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display the total file sizes'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Print the numeric IDs of the containers only'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Display extended information (full IDs and commands)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -l external -d 'Also show the containers of builds in progress (Podman\'s external containers)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions given (status=, name=, id=, label=, ancestor=, exited=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Print the n last created containers (includes all states)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Pretty-print containers to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l pod -d 'Show the pod of each container (POD ID and PODNAME columns)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all the containers, default is only running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Act on the latest container created'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display the total file sizes'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print the numeric IDs of the containers only'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Display extended information (full IDs and commands)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -l external -d 'Also show the containers of builds in progress (Podman\'s external containers)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to copy it from rsp\'s environment)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read environment variables from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the image\'s default ENTRYPOINT' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID, optionally with group (USER[:GROUP])' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l userns -d 'User namespace mode: keep-id[:uid=UID,gid=GID] runs the container as your own uid and gid (or those given), with an /etc/passwd entry and home for you; "" (the default) maps your uid to the container\'s user. host, auto, nomap, ns: and container: are refused: rsp maps one id, in a user namespace of its own' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l group-add -d 'Add a supplementary group for the container\'s user: a GID or a group name from the image\'s /etc/group (keep-groups is refused: rsp maps one id)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Set the container\'s host name' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Mount a volume: HOST-DIR:CTR (a bind mount), NAME:CTR (a named volume, made if missing) or CTR (an anonymous volume), with options ro, rw, z, Z, U, O, nocopy, bind, rbind, propagation, [no]exec, [no]suid, [no]dev' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l mount -d 'Attach a filesystem mount: type=bind|volume|tmpfs|image|devpts,src=...,dst=...[,ro][,options]' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l tmpfs -d 'Mount a new tmpfs: CONTAINER-DIR[:size=,mode=,noexec,...] (filled with the image\'s files there unless notmpcopyup)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l volumes-from -d 'Mount every volume and bind mount of another container: CONTAINER[:ro|rw]' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l image-volume -d 'What the image\'s VOLUMEs become: bind (anonymous volumes), tmpfs or ignore' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l detach-keys -d 'Key sequence for detaching a container (ctrl-<value> or a character, comma-separated; "" disables)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l restart -d 'Restart policy when the container exits: no, on-failure[:MAX], always, unless-stopped' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroups -d 'Whether the container gets a cgroup of its own where the user has one delegated: enabled, disabled, or no-conmon (the same as enabled: rsp\'s monitor never gets a cgroup of its own). split is refused: there is no monitor cgroup to split off' -r -f -a "enabled\t''
disabled\t''
no-conmon\t''
split\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l owners -d 'Owners and ids: image (the default: the owners and modes the image records, and each process\'s own user and group ids, so su, setpriv, gosu, servers that drop privileges and apt\'s sandbox work; emulated through seccomp user notification on x86_64 and aarch64 builds) or user (every file the container user\'s and one uid for every process, at full speed)' -r -f -a "image\t''
user\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-signal -d 'Signal to stop the container with (default: the image\'s StopSignal or SIGTERM)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-timeout -d 'Seconds to wait before forcibly stopping the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l device -d 'Give the container a device node of the host you can read and write (HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse; PERMISSIONS rw or rwm); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l sysctl -d 'Kernel parameter of the container\'s own namespaces (KEY=VALUE: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* with its own network); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-add -d 'Add Linux capabilities to the default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): NAME or CAP_NAME, or ALL; comma-separated or repeated. A non-root --user gets only the added ones. All within the container\'s user namespace' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-drop -d 'Drop Linux capabilities from the default set: NAME or CAP_NAME, or ALL; comma-separated or repeated' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l security-opt -d 'Security options: no-new-privileges[=true|false] (setuid files raise nothing), seccomp=unconfined|PROFILE.json (no filter, or a Docker/Podman JSON profile instead of rsp\'s default), mask=PATH[:PATH...] (hide more paths), unmask=PATH[:PATH...]|ALL (leave default masked or read-only paths alone), label=disable (rsp applies no SELinux labels); others are refused' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only-tmpfs -d 'With --read-only, mount a tmpfs on /tmp, /var/tmp and /run (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Resource limit for the container\'s processes (TYPE=SOFT[:HARD], e.g. nofile=1024:2048; -1 is unlimited); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s m -l memory -d 'Memory limit (e.g. 512m, 1g; at least 6m): the container\'s processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-swap -d 'Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-reservation -d 'Memory the container is guaranteed under pressure (a soft limit, below --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l cpus -d 'CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s c -l cpu-shares -d 'CPU shares, a relative weight (2 to 262144; 1024 is the default)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-weight -d 'CPU weight, cgroup v2\'s own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l cpuset-cpus -d 'CPUs the container may run on (e.g. 0-1,3)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l pids-limit -d 'Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l blkio-weight -d 'Block IO weight, relative (10 to 1000)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l log-driver -d 'Logging driver: k8s-file, none, passthrough' -r -f -a "k8s-file\t''
none\t''
passthrough\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l log-opt -d 'Logging driver options: max-size=SIZE (the log is emptied at SIZE), max-file=N (with max-size: rotated instead, keeping N files), path=FILE (where the log file goes), tag=TAG (shown by inspect)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l sig-proxy -d 'Proxy received signals to the container process' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l network -l net -d 'Network mode: slirp[:OPTS] (the default: own namespace served by rsp\'s userspace stack; slirp4netns[:OPTS], and default, private and pasta without options, name it too), none (loopback only), host (the host\'s network), or the name of a network made with `rsp network create`. OPTS: allow_host_loopback=true|false, port_handler=rootlesskit|slirp, mtu=N' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l network-alias -d 'Another name for the container on its network (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l pod -d 'Run in this pod (new:NAME makes it), sharing its namespaces' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l ip -d 'The container\'s IPv4 address on its network' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l mac-address -d 'The container\'s MAC address on its own interface' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l dns -d 'A DNS server for /etc/resolv.conf instead of rsp\'s (repeatable; none: keep the image\'s file)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-search -d 'A DNS search domain for /etc/resolv.conf (repeatable; . for none)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-option -l dns-opt -d 'A resolver option for /etc/resolv.conf (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a line to /etc/hosts: NAME:IP (host-gateway: rsp\'s gateway, 10.0.2.2)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s p -l publish -d 'Publish a container\'s port to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l expose -d 'Expose a port or range, as the image\'s EXPOSE does: shown by inspect, kept by commit, published by -P' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'When to pull the image: always, missing, never, newer (only when the registry\'s image differs from the local one; the local one if the registry cannot be reached)' -r -f -a "always\t''
missing\t''
never\t''
newer\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run the container in the background and print its ID'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l init -d 'Run an init inside the container that forwards signals and reaps processes (rsp itself as pid 1, out of the container\'s reach: non-dumpable, no capabilities, a seccomp allow-list)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l privileged -d 'Give the container every capability, no seccomp filter and no masked or read-only kernel paths (it still has nothing beyond its user namespace: nothing you do not have)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only -d 'Mount the container\'s root filesystem read-only (volumes and the tmpfs of --read-only-tmpfs stay writable)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -l no-hosts -d 'Do not create /etc/hosts: keep the image\'s'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s P -l publish-all -d 'Publish every port the image exposes to a free host port'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it (default: kill at once)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of a running container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove the anonymous volumes made for the container (-v /path, the image\'s VOLUMEs) that no other container uses'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
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
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to copy it from rsp\'s environment)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read environment variables from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the image\'s default ENTRYPOINT' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID, optionally with group (USER[:GROUP])' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l userns -d 'User namespace mode: keep-id[:uid=UID,gid=GID] runs the container as your own uid and gid (or those given), with an /etc/passwd entry and home for you; "" (the default) maps your uid to the container\'s user. host, auto, nomap, ns: and container: are refused: rsp maps one id, in a user namespace of its own' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l group-add -d 'Add a supplementary group for the container\'s user: a GID or a group name from the image\'s /etc/group (keep-groups is refused: rsp maps one id)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Set the container\'s host name' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Mount a volume: HOST-DIR:CTR (a bind mount), NAME:CTR (a named volume, made if missing) or CTR (an anonymous volume), with options ro, rw, z, Z, U, O, nocopy, bind, rbind, propagation, [no]exec, [no]suid, [no]dev' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l mount -d 'Attach a filesystem mount: type=bind|volume|tmpfs|image|devpts,src=...,dst=...[,ro][,options]' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a new tmpfs: CONTAINER-DIR[:size=,mode=,noexec,...] (filled with the image\'s files there unless notmpcopyup)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l volumes-from -d 'Mount every volume and bind mount of another container: CONTAINER[:ro|rw]' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l image-volume -d 'What the image\'s VOLUMEs become: bind (anonymous volumes), tmpfs or ignore' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l detach-keys -d 'Key sequence for detaching a container (ctrl-<value> or a character, comma-separated; "" disables)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l restart -d 'Restart policy when the container exits: no, on-failure[:MAX], always, unless-stopped' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroups -d 'Whether the container gets a cgroup of its own where the user has one delegated: enabled, disabled, or no-conmon (the same as enabled: rsp\'s monitor never gets a cgroup of its own). split is refused: there is no monitor cgroup to split off' -r -f -a "enabled\t''
disabled\t''
no-conmon\t''
split\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l owners -d 'Owners and ids: image (the default: the owners and modes the image records, and each process\'s own user and group ids, so su, setpriv, gosu, servers that drop privileges and apt\'s sandbox work; emulated through seccomp user notification on x86_64 and aarch64 builds) or user (every file the container user\'s and one uid for every process, at full speed)' -r -f -a "image\t''
user\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-signal -d 'Signal to stop the container with (default: the image\'s StopSignal or SIGTERM)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-timeout -d 'Seconds to wait before forcibly stopping the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l device -d 'Give the container a device node of the host you can read and write (HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse; PERMISSIONS rw or rwm); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l sysctl -d 'Kernel parameter of the container\'s own namespaces (KEY=VALUE: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* with its own network); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-add -d 'Add Linux capabilities to the default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): NAME or CAP_NAME, or ALL; comma-separated or repeated. A non-root --user gets only the added ones. All within the container\'s user namespace' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-drop -d 'Drop Linux capabilities from the default set: NAME or CAP_NAME, or ALL; comma-separated or repeated' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l security-opt -d 'Security options: no-new-privileges[=true|false] (setuid files raise nothing), seccomp=unconfined|PROFILE.json (no filter, or a Docker/Podman JSON profile instead of rsp\'s default), mask=PATH[:PATH...] (hide more paths), unmask=PATH[:PATH...]|ALL (leave default masked or read-only paths alone), label=disable (rsp applies no SELinux labels); others are refused' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only-tmpfs -d 'With --read-only, mount a tmpfs on /tmp, /var/tmp and /run (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Resource limit for the container\'s processes (TYPE=SOFT[:HARD], e.g. nofile=1024:2048; -1 is unlimited); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s m -l memory -d 'Memory limit (e.g. 512m, 1g; at least 6m): the container\'s processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-swap -d 'Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-reservation -d 'Memory the container is guaranteed under pressure (a soft limit, below --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l cpus -d 'CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s c -l cpu-shares -d 'CPU shares, a relative weight (2 to 262144; 1024 is the default)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-weight -d 'CPU weight, cgroup v2\'s own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l cpuset-cpus -d 'CPUs the container may run on (e.g. 0-1,3)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l pids-limit -d 'Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l blkio-weight -d 'Block IO weight, relative (10 to 1000)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l log-driver -d 'Logging driver: k8s-file, none, passthrough' -r -f -a "k8s-file\t''
none\t''
passthrough\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l log-opt -d 'Logging driver options: max-size=SIZE (the log is emptied at SIZE), max-file=N (with max-size: rotated instead, keeping N files), path=FILE (where the log file goes), tag=TAG (shown by inspect)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l sig-proxy -d 'Proxy received signals to the container process' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l network -l net -d 'Network mode: slirp[:OPTS] (the default: own namespace served by rsp\'s userspace stack; slirp4netns[:OPTS], and default, private and pasta without options, name it too), none (loopback only), host (the host\'s network), or the name of a network made with `rsp network create`. OPTS: allow_host_loopback=true|false, port_handler=rootlesskit|slirp, mtu=N' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l network-alias -d 'Another name for the container on its network (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l pod -d 'Run in this pod (new:NAME makes it), sharing its namespaces' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l ip -d 'The container\'s IPv4 address on its network' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l mac-address -d 'The container\'s MAC address on its own interface' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l dns -d 'A DNS server for /etc/resolv.conf instead of rsp\'s (repeatable; none: keep the image\'s file)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-search -d 'A DNS search domain for /etc/resolv.conf (repeatable; . for none)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-option -l dns-opt -d 'A resolver option for /etc/resolv.conf (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a line to /etc/hosts: NAME:IP (host-gateway: rsp\'s gateway, 10.0.2.2)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a container\'s port to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l expose -d 'Expose a port or range, as the image\'s EXPOSE does: shown by inspect, kept by commit, published by -P' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'When to pull the image: always, missing, never, newer (only when the registry\'s image differs from the local one; the local one if the registry cannot be reached)' -r -f -a "always\t''
missing\t''
never\t''
newer\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Remove the container when it exits'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s d -l detach -d 'Run the container in the background and print its ID'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l init -d 'Run an init inside the container that forwards signals and reaps processes (rsp itself as pid 1, out of the container\'s reach: non-dumpable, no capabilities, a seccomp allow-list)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l privileged -d 'Give the container every capability, no seccomp filter and no masked or read-only kernel paths (it still has nothing beyond its user namespace: nothing you do not have)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only -d 'Mount the container\'s root filesystem read-only (volumes and the tmpfs of --read-only-tmpfs stay writable)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -l no-hosts -d 'Do not create /etc/hosts: keep the image\'s'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s P -l publish-all -d 'Publish every port the image exposes to a free host port'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l detach-keys -d 'Key sequence for detaching a container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l sig-proxy -d 'Proxy received signals to the container process (with --attach)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach container\'s STDOUT and STDERR'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -l all -d 'Start all containers that are not running'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -s a -l all -d 'Act on all running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -s a -l all -d 'Signal all running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -s a -l all -d 'Act on all running containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from wait" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from wait" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from wait" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from wait" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from wait" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rename" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rename" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rename" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rename" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -s m -l memory -d 'Memory limit (e.g. 512m, 1g; at least 6m): the container\'s processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-swap -d 'Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-reservation -d 'Memory the container is guaranteed under pressure (a soft limit, below --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l cpus -d 'CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -s c -l cpu-shares -d 'CPU shares, a relative weight (2 to 262144; 1024 is the default)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-weight -d 'CPU weight, cgroup v2\'s own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l cpuset-cpus -d 'CPUs the container may run on (e.g. 0-1,3)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l pids-limit -d 'Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l blkio-weight -d 'Block IO weight, relative (10 to 1000)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since TIMESTAMP (RFC 3339, Unix time or a duration such as 10m)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs until TIMESTAMP' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Output the specified number of lines at the end of the logs' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Output the timestamps in the log'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -l names -d 'Prefix each line with the container\'s name (several containers)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l detach-keys -d 'Key sequence for detaching a container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l sig-proxy -d 'Proxy received signals to the container process' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -l no-stdin -d 'Do not attach STDIN'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -l detach-keys -d 'Key sequence for detaching: only "" (none), as rsp exec cannot detach from a command (use -d to run it in the background)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s e -l env -d 'Set environment variables' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -l env-file -d 'Read environment variables from a file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s u -l user -d 'Username or UID, resolved in the container\'s /etc/passwd and /etc/group (any user of the image under the default id emulation; only the container\'s own user with --owners user)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s d -l detach -d 'Run the command in the background'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s i -l interactive -d 'Keep STDIN open'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from exec" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from top" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from top" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from top" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from top" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from top" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -s a -l all -d 'Display port information for all containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from port" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -s a -l archive -d 'Keep the owner of copied files (the default in rsp; accepted for compatibility)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -s L -l follow-link -d 'Follow a symbolic link given as the source'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -l overwrite -d 'Allow directories to be overwritten with non-directories and vice versa'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from cp" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -s a -l all -d 'Act on all applicable containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -s a -l all -d 'Act on all applicable containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from unpause" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l format -d 'Pretty-print container statistics to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -s i -l interval -d 'Seconds between updates when streaming' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -s a -l all -d 'Show all containers (default: running ones)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -l filter -d 'Only containers matching (label=, until=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s a -l author -d 'Set the author of the committed image' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s c -l change -d 'Apply a Dockerfile instruction to the image config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s m -l message -d 'Set the commit message, recorded in the image\'s history' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s f -l format -d 'Format of the image: oci or docker (rsp stores both as OCI)' -r -f -a "oci\t''
docker\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s p -l pause -d 'Pause the container while committing'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s q -l quiet -d 'Print only the new image\'s ID'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from commit" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -l format -d 'Output format: json' -r -f -a "json\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file instead of standard output' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display the configuration of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if a container exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create but do not start a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Kill one or more running containers with a specific signal'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Block on one or more containers and print their exit codes'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename an existing container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a container\'s resource limits (at once while it runs, and for its next starts)'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Fetch the logs of one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach to a running container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exec" -d 'Run a process in a running container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "top" -d 'Display the running processes of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "port" -d 'List port mappings of a container'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "cp" -d 'Copy files and folders between a container and the local filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause all the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "unpause" -d 'Unpause the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Display a live stream of container resource usage statistics'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all stopped containers'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Inspect changes to a container\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a container\'s filesystem contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s t -l type -d 'Only inspect objects of this type (container, image, volume, network, pod)' -r -f -a "all\t''
container\t''
image\t''
volume\t''
network\t''
pod\t''"
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to copy it from rsp\'s environment)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l env-file -d 'Read environment variables from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l entrypoint -d 'Overwrite the image\'s default ENTRYPOINT' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s u -l user -d 'Username or UID, optionally with group (USER[:GROUP])' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l userns -d 'User namespace mode: keep-id[:uid=UID,gid=GID] runs the container as your own uid and gid (or those given), with an /etc/passwd entry and home for you; "" (the default) maps your uid to the container\'s user. host, auto, nomap, ns: and container: are refused: rsp maps one id, in a user namespace of its own' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l group-add -d 'Add a supplementary group for the container\'s user: a GID or a group name from the image\'s /etc/group (keep-groups is refused: rsp maps one id)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s h -l hostname -d 'Set the container\'s host name' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s v -l volume -d 'Mount a volume: HOST-DIR:CTR (a bind mount), NAME:CTR (a named volume, made if missing) or CTR (an anonymous volume), with options ro, rw, z, Z, U, O, nocopy, bind, rbind, propagation, [no]exec, [no]suid, [no]dev' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l mount -d 'Attach a filesystem mount: type=bind|volume|tmpfs|image|devpts,src=...,dst=...[,ro][,options]' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l tmpfs -d 'Mount a new tmpfs: CONTAINER-DIR[:size=,mode=,noexec,...] (filled with the image\'s files there unless notmpcopyup)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l volumes-from -d 'Mount every volume and bind mount of another container: CONTAINER[:ro|rw]' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l image-volume -d 'What the image\'s VOLUMEs become: bind (anonymous volumes), tmpfs or ignore' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l detach-keys -d 'Key sequence for detaching a container (ctrl-<value> or a character, comma-separated; "" disables)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l restart -d 'Restart policy when the container exits: no, on-failure[:MAX], always, unless-stopped' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l cgroups -d 'Whether the container gets a cgroup of its own where the user has one delegated: enabled, disabled, or no-conmon (the same as enabled: rsp\'s monitor never gets a cgroup of its own). split is refused: there is no monitor cgroup to split off' -r -f -a "enabled\t''
disabled\t''
no-conmon\t''
split\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l owners -d 'Owners and ids: image (the default: the owners and modes the image records, and each process\'s own user and group ids, so su, setpriv, gosu, servers that drop privileges and apt\'s sandbox work; emulated through seccomp user notification on x86_64 and aarch64 builds) or user (every file the container user\'s and one uid for every process, at full speed)' -r -f -a "image\t''
user\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l stop-signal -d 'Signal to stop the container with (default: the image\'s StopSignal or SIGTERM)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l stop-timeout -d 'Seconds to wait before forcibly stopping the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l device -d 'Give the container a device node of the host you can read and write (HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse; PERMISSIONS rw or rwm); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l sysctl -d 'Kernel parameter of the container\'s own namespaces (KEY=VALUE: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* with its own network); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l cap-add -d 'Add Linux capabilities to the default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT): NAME or CAP_NAME, or ALL; comma-separated or repeated. A non-root --user gets only the added ones. All within the container\'s user namespace' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities from the default set: NAME or CAP_NAME, or ALL; comma-separated or repeated' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l security-opt -d 'Security options: no-new-privileges[=true|false] (setuid files raise nothing), seccomp=unconfined|PROFILE.json (no filter, or a Docker/Podman JSON profile instead of rsp\'s default), mask=PATH[:PATH...] (hide more paths), unmask=PATH[:PATH...]|ALL (leave default masked or read-only paths alone), label=disable (rsp applies no SELinux labels); others are refused' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l read-only-tmpfs -d 'With --read-only, mount a tmpfs on /tmp, /var/tmp and /run (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l ulimit -d 'Resource limit for the container\'s processes (TYPE=SOFT[:HARD], e.g. nofile=1024:2048; -1 is unlimited); repeatable' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s m -l memory -d 'Memory limit (e.g. 512m, 1g; at least 6m): the container\'s processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l memory-swap -d 'Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l memory-reservation -d 'Memory the container is guaranteed under pressure (a soft limit, below --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l cpus -d 'CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s c -l cpu-shares -d 'CPU shares, a relative weight (2 to 262144; 1024 is the default)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l cpu-weight -d 'CPU weight, cgroup v2\'s own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l cpuset-cpus -d 'CPUs the container may run on (e.g. 0-1,3)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l pids-limit -d 'Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l blkio-weight -d 'Block IO weight, relative (10 to 1000)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l log-driver -d 'Logging driver: k8s-file, none, passthrough' -r -f -a "k8s-file\t''
none\t''
passthrough\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l log-opt -d 'Logging driver options: max-size=SIZE (the log is emptied at SIZE), max-file=N (with max-size: rotated instead, keeping N files), path=FILE (where the log file goes), tag=TAG (shown by inspect)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l sig-proxy -d 'Proxy received signals to the container process' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l network -l net -d 'Network mode: slirp[:OPTS] (the default: own namespace served by rsp\'s userspace stack; slirp4netns[:OPTS], and default, private and pasta without options, name it too), none (loopback only), host (the host\'s network), or the name of a network made with `rsp network create`. OPTS: allow_host_loopback=true|false, port_handler=rootlesskit|slirp, mtu=N' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l network-alias -d 'Another name for the container on its network (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l pod -d 'Run in this pod (new:NAME makes it), sharing its namespaces' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l ip -d 'The container\'s IPv4 address on its network' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l mac-address -d 'The container\'s MAC address on its own interface' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l dns -d 'A DNS server for /etc/resolv.conf instead of rsp\'s (repeatable; none: keep the image\'s file)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l dns-search -d 'A DNS search domain for /etc/resolv.conf (repeatable; . for none)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l dns-option -l dns-opt -d 'A resolver option for /etc/resolv.conf (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l add-host -d 'Add a line to /etc/hosts: NAME:IP (host-gateway: rsp\'s gateway, 10.0.2.2)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -s p -l publish -d 'Publish a container\'s port to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l expose -d 'Expose a port or range, as the image\'s EXPOSE does: shown by inspect, kept by commit, published by -P' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l pull -d 'When to pull the image: always, missing, never, newer (only when the registry\'s image differs from the local one; the local one if the registry cannot be reached)' -r -f -a "always\t''
missing\t''
never\t''
newer\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l platform -d 'Pull the image for this platform (OS/ARCH[/VARIANT]) instead of the host\'s' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand create" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand create" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand create" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand create" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand create" -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand create" -l rm -d 'Remove the container when it exits'
complete -c rsp -n "__fish_rsp_using_subcommand create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c rsp -n "__fish_rsp_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c rsp -n "__fish_rsp_using_subcommand create" -s d -l detach -d 'Run the container in the background and print its ID'
complete -c rsp -n "__fish_rsp_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes (rsp itself as pid 1, out of the container\'s reach: non-dumpable, no capabilities, a seccomp allow-list)'
complete -c rsp -n "__fish_rsp_using_subcommand create" -l privileged -d 'Give the container every capability, no seccomp filter and no masked or read-only kernel paths (it still has nothing beyond its user namespace: nothing you do not have)'
complete -c rsp -n "__fish_rsp_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem read-only (volumes and the tmpfs of --read-only-tmpfs stay writable)'
complete -c rsp -n "__fish_rsp_using_subcommand create" -l no-hosts -d 'Do not create /etc/hosts: keep the image\'s'
complete -c rsp -n "__fish_rsp_using_subcommand create" -s P -l publish-all -d 'Publish every port the image exposes to a free host port'
complete -c rsp -n "__fish_rsp_using_subcommand create" -s q -l quiet -d 'Suppress output information when pulling images'
complete -c rsp -n "__fish_rsp_using_subcommand create" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand start" -l detach-keys -d 'Key sequence for detaching a container' -r
complete -c rsp -n "__fish_rsp_using_subcommand start" -l sig-proxy -d 'Proxy received signals to the container process (with --attach)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand start" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand start" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand start" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand start" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand start" -s a -l attach -d 'Attach container\'s STDOUT and STDERR'
complete -c rsp -n "__fish_rsp_using_subcommand start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c rsp -n "__fish_rsp_using_subcommand start" -l all -d 'Start all containers that are not running'
complete -c rsp -n "__fish_rsp_using_subcommand start" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand start" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand stop" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand stop" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand stop" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand stop" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand stop" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand stop" -s a -l all -d 'Act on all running containers'
complete -c rsp -n "__fish_rsp_using_subcommand stop" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c rsp -n "__fish_rsp_using_subcommand stop" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand stop" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand kill" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand kill" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand kill" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand kill" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand kill" -s a -l all -d 'Signal all running containers'
complete -c rsp -n "__fish_rsp_using_subcommand kill" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand kill" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand restart" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand restart" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand restart" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand restart" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand restart" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand restart" -s a -l all -d 'Act on all running containers'
complete -c rsp -n "__fish_rsp_using_subcommand restart" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c rsp -n "__fish_rsp_using_subcommand restart" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand restart" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand wait" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand wait" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand wait" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand wait" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand wait" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand wait" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand rename" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rename" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand rename" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand rename" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand rename" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand rename" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand update" -s m -l memory -d 'Memory limit (e.g. 512m, 1g; at least 6m): the container\'s processes are killed by the kernel beyond it (OOMKilled in inspect, exit 137). Needs a delegated cgroup with the memory controller' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l memory-swap -d 'Memory and swap together (at least --memory; -1: unlimited swap; default twice --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l memory-reservation -d 'Memory the container is guaranteed under pressure (a soft limit, below --memory)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l cpus -d 'CPUs the container may use (e.g. 1.5), as a CFS quota over 100 ms periods' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -s c -l cpu-shares -d 'CPU shares, a relative weight (2 to 262144; 1024 is the default)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l cpu-weight -d 'CPU weight, cgroup v2\'s own relative weight (1 to 10000; 100 is the default); instead of --cpu-shares' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l cpuset-cpus -d 'CPUs the container may run on (e.g. 0-1,3)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l pids-limit -d 'Most processes and threads the container may have (-1 or 0: no limit; default 2048 where the pids controller is delegated)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l blkio-weight -d 'Block IO weight, relative (10 to 1000)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand update" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand update" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand update" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand update" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand update" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l since -d 'Show logs since TIMESTAMP (RFC 3339, Unix time or a duration such as 10m)' -r
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l until -d 'Show logs until TIMESTAMP' -r
complete -c rsp -n "__fish_rsp_using_subcommand logs" -s n -l tail -d 'Output the specified number of lines at the end of the logs' -r
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand logs" -s f -l follow -d 'Follow log output'
complete -c rsp -n "__fish_rsp_using_subcommand logs" -s t -l timestamps -d 'Output the timestamps in the log'
complete -c rsp -n "__fish_rsp_using_subcommand logs" -l names -d 'Prefix each line with the container\'s name (several containers)'
complete -c rsp -n "__fish_rsp_using_subcommand logs" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand logs" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l detach-keys -d 'Key sequence for detaching a container' -r
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l sig-proxy -d 'Proxy received signals to the container process' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand attach" -l no-stdin -d 'Do not attach STDIN'
complete -c rsp -n "__fish_rsp_using_subcommand attach" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand attach" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand exec" -l detach-keys -d 'Key sequence for detaching: only "" (none), as rsp exec cannot detach from a command (use -d to run it in the background)' -r
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s e -l env -d 'Set environment variables' -r
complete -c rsp -n "__fish_rsp_using_subcommand exec" -l env-file -d 'Read environment variables from a file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s u -l user -d 'Username or UID, resolved in the container\'s /etc/passwd and /etc/group (any user of the image under the default id emulation; only the container\'s own user with --owners user)' -r
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c rsp -n "__fish_rsp_using_subcommand exec" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand exec" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand exec" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand exec" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s d -l detach -d 'Run the command in the background'
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s i -l interactive -d 'Keep STDIN open'
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand exec" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand top" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand top" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand top" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand top" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand top" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand top" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand port" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand port" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand port" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand port" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand port" -s a -l all -d 'Display port information for all containers'
complete -c rsp -n "__fish_rsp_using_subcommand port" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand port" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand cp" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand cp" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand cp" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand cp" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand cp" -s a -l archive -d 'Keep the owner of copied files (the default in rsp; accepted for compatibility)'
complete -c rsp -n "__fish_rsp_using_subcommand cp" -s L -l follow-link -d 'Follow a symbolic link given as the source'
complete -c rsp -n "__fish_rsp_using_subcommand cp" -l overwrite -d 'Allow directories to be overwritten with non-directories and vice versa'
complete -c rsp -n "__fish_rsp_using_subcommand cp" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand cp" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pause" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pause" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pause" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pause" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pause" -s a -l all -d 'Act on all applicable containers'
complete -c rsp -n "__fish_rsp_using_subcommand pause" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pause" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -s a -l all -d 'Act on all applicable containers'
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand unpause" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l format -d 'Pretty-print container statistics to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand stats" -s i -l interval -d 'Seconds between updates when streaming' -r
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand stats" -s a -l all -d 'Show all containers (default: running ones)'
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c rsp -n "__fish_rsp_using_subcommand stats" -l no-trunc -d 'Do not truncate output'
complete -c rsp -n "__fish_rsp_using_subcommand stats" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand stats" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand events" -s f -l filter -d 'Filter output (container=, event=, image=, label=, type=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand events" -l format -d 'Format the output with a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand events" -l since -d 'Show all events created since TIMESTAMP' -r
complete -c rsp -n "__fish_rsp_using_subcommand events" -l until -d 'Stream events until TIMESTAMP' -r
complete -c rsp -n "__fish_rsp_using_subcommand events" -l stream -d 'Stream new events (false: print past events and exit)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand events" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand events" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand events" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand events" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand events" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand events" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -f -a "info" -d 'Display rsp and system information'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -f -a "reset" -d 'Remove all containers, images and state, and forget the storage driver rsp detected'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -f -a "df" -d 'Show rsp disk usage'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -f -a "prune" -d 'Remove unused data: stopped containers, dangling (or with -a unused) images'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -f -a "check" -d 'Check the store: every layer against its digest and tar-split record, every blob, image and container against what it needs, and leftovers of killed commands'
complete -c rsp -n "__fish_rsp_using_subcommand system; and not __fish_seen_subcommand_from info reset df prune check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -s f -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -s f -l force -d 'Do not ask for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -l format -d 'Pretty-print to JSON or using a Go template (.Type .Total .Active .Size .Reclaimable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -s v -l verbose -d 'Show detailed information on space usage'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from df" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -l filter -d 'Only containers and images matching (label=, until=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -l volumes -d 'Prune unused volumes too'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -s r -l repair -d 'Remove what cannot be trusted: damaged layers and blobs, the images that need them, leftovers of killed commands'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -s f -l force -d 'With --repair, remove damaged containers too (their changes are lost)'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -s q -l quick -d 'Skip the slow checks: layer and blob contents'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "info" -d 'Display rsp and system information'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Remove all containers, images and state, and forget the storage driver rsp detected'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "df" -d 'Show rsp disk usage'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused data: stopped containers, dangling (or with -a unused) images'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check the store: every layer against its digest and tar-split record, every blob, image and container against what it needs, and leftovers of killed commands'
complete -c rsp -n "__fish_rsp_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s a -l author -d 'Set the author of the committed image' -r
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s c -l change -d 'Apply a Dockerfile instruction to the image config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s m -l message -d 'Set the commit message, recorded in the image\'s history' -r
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s f -l format -d 'Format of the image: oci or docker (rsp stores both as OCI)' -r -f -a "oci\t''
docker\t''"
complete -c rsp -n "__fish_rsp_using_subcommand commit" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand commit" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand commit" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand commit" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s p -l pause -d 'Pause the container while committing'
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s q -l quiet -d 'Print only the new image\'s ID'
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand commit" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "create" -d 'Create a new volume'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "ls" -d 'List volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "list" -d 'List volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "rm" -d 'Remove one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "remove" -d 'Remove one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "prune" -d 'Remove all unused volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "exists" -d 'Check if a volume exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "export" -d 'Export a volume\'s contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "import" -d 'Import a tar archive into a volume'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "reload" -d 'Reload volumes from volume plugins (rsp has none: nothing to do)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists export import reload help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -s d -l driver -d 'Volume driver (only local)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -s o -l opt -d 'Driver options: type=tmpfs with o=size=..., type=none with device=DIR and o=bind, or o=uid=N,gid=N' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata for the volume' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -l ignore -d 'Do not fail if a volume of that name exists'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (name=, label=, label!=, driver=, dangling=true|false, until=, scope=local)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -l format -d 'Pretty-print volumes to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print volume names only'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (name=, label=, label!=, driver=, dangling=true|false, until=, scope=local)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -l format -d 'Pretty-print volumes to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print volume names only'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s a -l all -d 'Inspect all volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove the containers using a volume first (stopping running ones)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -s a -l all -d 'Remove all volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove the containers using a volume first (stopping running ones)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -l filter -d 'Only volumes matching (label=, label!=, until=, name=, driver=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from exists" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file instead of standard output' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from import" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from import" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from import" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from import" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from reload" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from reload" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from reload" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from reload" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from reload" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from reload" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a new volume'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all unused volumes'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if a volume exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a volume\'s contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import a tar archive into a volume'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "reload" -d 'Reload volumes from volume plugins (rsp has none: nothing to do)'
complete -c rsp -n "__fish_rsp_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "create" -d 'Create a network'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "ls" -d 'List networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "list" -d 'List networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "rm" -d 'Remove one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "remove" -d 'Remove one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "prune" -d 'Remove all networks no container uses'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "exists" -d 'Check if a network exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "connect" -d 'Connect a container to a network (at once if it runs)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c rsp -n "__fish_rsp_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists connect disconnect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -s d -l driver -d 'Network driver (only bridge)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'Subnet in CIDR form (default: the first free 10.89.N.0/24)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l gateway -d 'Gateway of the subnet (default: its first address)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l ip-range -d 'Allocate container addresses from this CIDR inside the subnet' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata for the network' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -s o -l opt -d 'Driver options: mtu=N' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'Restrict the network to its containers: no route out'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l disable-dns -d 'Do not serve container names over DNS on this network'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -l ignore -d 'Do not fail if a network of that name exists'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (name=, id=, driver=, label=, label!=, dangling=true|false, until=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l format -d 'Pretty-print networks to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print network names only'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate the network IDs'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (name=, id=, driver=, label=, label!=, dangling=true|false, until=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l format -d 'Pretty-print networks to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print network names only'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -l no-trunc -d 'Do not truncate the network IDs'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove the containers using a network first (stopping running ones)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove the containers using a network first (stopping running ones)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -l filter -d 'Only networks matching (label=, label!=, until=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from exists" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -l alias -d 'Another name for the container on this network (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip -d 'The container\'s IPv4 address on this network' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a network'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all networks no container uses'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if a network exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect a container to a network (at once if it runs)'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c rsp -n "__fish_rsp_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "create" -d 'Create a new pod'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "ps" -d 'List pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "ls" -d 'List pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "list" -d 'List pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "inspect" -d 'Display detailed information on one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "start" -d 'Start one or more pods (their infra first)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "stop" -d 'Stop one or more pods (their infra last)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "restart" -d 'Restart one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "kill" -d 'Send a signal to the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "pause" -d 'Pause the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "unpause" -d 'Unpause the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "rm" -d 'Remove one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "remove" -d 'Remove one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "prune" -d 'Remove every pod none of whose containers runs'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "exists" -d 'Check if a pod exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "top" -d 'Display the processes of a pod\'s containers'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "stats" -d 'Display a live stream of a pod\'s containers\' resource usage'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "logs" -d 'Fetch the logs of a pod\'s containers'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and not __fish_seen_subcommand_from create ps ls list inspect start stop restart kill pause unpause rm remove prune exists top stats logs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l name -d 'Name of the pod (default: a random name)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l infra -d 'Create an infra container holding the shared namespaces' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l share -d 'Namespaces the containers share: a comma-separated subset of net, uts and ipc' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a port of the pod to the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l network -l net -d 'The pod\'s network: slirp (default), none, host, bridge or network names' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l hostname -d 'The pod\'s hostname (default: its name)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l add-host -d 'Add a line to the pod\'s /etc/hosts: NAME:IP' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata for the pod' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l format -d 'Pretty-print pods to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output (name=, id=, label=, status=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Print pod IDs only'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Do not truncate pod IDs'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l format -d 'Pretty-print pods to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (name=, id=, label=, status=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print pod IDs only'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate pod IDs'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l format -d 'Pretty-print pods to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (name=, id=, label=, status=)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print pod IDs only'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l no-trunc -d 'Do not truncate pod IDs'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -l noheading -d 'Do not print headings'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template or json' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from start" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from start" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from start" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from start" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -s t -l time -d 'Seconds to wait for each container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from restart" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from restart" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from restart" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from restart" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send (default KILL)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from pause" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from pause" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from pause" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from pause" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from unpause" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from unpause" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from unpause" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from unpause" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from unpause" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from unpause" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -s f -l force -d 'Stop and remove running containers of the pod too'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -s t -l time -d 'With -f, seconds to wait for a running container to stop before killing it' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -s f -l force -d 'Stop and remove running containers of the pod too'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from exists" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from exists" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from top" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from top" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from top" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from top" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from top" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -l format -d 'Pretty-print statistics to JSON or using a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Output the specified number of lines at the end of each container\'s logs' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -s c -l container -d 'Only this container of the pod' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Output the timestamps in the log'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a new pod'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "ps" -d 'List pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start one or more pods (their infra first)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop one or more pods (their infra last)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Send a signal to the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "unpause" -d 'Unpause the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove every pod none of whose containers runs'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Check if a pod exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "top" -d 'Display the processes of a pod\'s containers'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Display a live stream of a pod\'s containers\' resource usage'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Fetch the logs of a pod\'s containers'
complete -c rsp -n "__fish_rsp_using_subcommand pod; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand diff" -l format -d 'Output format: json' -r -f -a "json\t''"
complete -c rsp -n "__fish_rsp_using_subcommand diff" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand diff" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand diff" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand diff" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand diff" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand diff" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand export" -s o -l output -d 'Write to this file instead of standard output' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand export" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand export" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand export" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand export" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand export" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand export" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand import" -s c -l change -d 'Apply a Dockerfile instruction to the image config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR (repeatable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand import" -s m -l message -d 'Set the commit message, recorded in the image\'s history' -r
complete -c rsp -n "__fish_rsp_using_subcommand import" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand import" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand import" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand import" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand import" -s q -l quiet -d 'Print only the new image\'s ID'
complete -c rsp -n "__fish_rsp_using_subcommand import" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand import" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand push" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand push" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand push" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand push" -l compression-format -d 'Compression for layers the registry does not have yet: gzip or zstd' -r -f -a "gzip\t''
zstd\t''"
complete -c rsp -n "__fish_rsp_using_subcommand push" -l compression-level -d 'Compression level (gzip 0-9, zstd 1-19)' -r
complete -c rsp -n "__fish_rsp_using_subcommand push" -s f -l format -d 'Manifest format to write: oci or v2s2 (Docker schema 2, gzip only)' -r -f -a "oci\t''
v2s2\t''"
complete -c rsp -n "__fish_rsp_using_subcommand push" -l digestfile -d 'Write the digest of the pushed manifest to this file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand push" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand push" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand push" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand push" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand push" -s q -l quiet -d 'Suppress output information when pushing images'
complete -c rsp -n "__fish_rsp_using_subcommand push" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand push" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand save" -s o -l output -d 'Write to this file (or, for oci-dir, this new directory) instead of standard output' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand save" -l format -d 'Archive format: docker-archive (as docker save), oci-archive, or oci-dir (an OCI layout directory)' -r -f -a "docker-archive\t''
oci-archive\t''
oci-dir\t''"
complete -c rsp -n "__fish_rsp_using_subcommand save" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand save" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand save" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand save" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand save" -s q -l quiet -d 'Print nothing but errors'
complete -c rsp -n "__fish_rsp_using_subcommand save" -s m -l multi-image-archive -d 'Save every IMAGE named into one docker-archive (without it, names after the first are extra tags for the first image)'
complete -c rsp -n "__fish_rsp_using_subcommand save" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand save" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand load" -s i -l input -d 'Read from this archive (or OCI layout directory) instead of standard input' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand load" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand load" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand load" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand load" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand load" -s q -l quiet -d 'Print nothing but errors'
complete -c rsp -n "__fish_rsp_using_subcommand load" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand load" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand login" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand login" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand login" -s u -l username -d 'Username for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand login" -s p -l password -d 'Password for the registry (insecure: visible to other users; prefer --password-stdin)' -r
complete -c rsp -n "__fish_rsp_using_subcommand login" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand login" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand login" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand login" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand login" -l password-stdin -d 'Take the password from stdin'
complete -c rsp -n "__fish_rsp_using_subcommand login" -l get-login -d 'Print the username stored for the registry'
complete -c rsp -n "__fish_rsp_using_subcommand login" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand login" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand logout" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand logout" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand logout" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand logout" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand logout" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand logout" -s a -l all -d 'Remove the credentials of every registry'
complete -c rsp -n "__fish_rsp_using_subcommand logout" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand logout" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand search" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand search" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand search" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand search" -l limit -d 'Maximum number of results' -r
complete -c rsp -n "__fish_rsp_using_subcommand search" -l format -d 'Change the output format to JSON or a Go template' -r
complete -c rsp -n "__fish_rsp_using_subcommand search" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand search" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand search" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand search" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand search" -l list-tags -d 'List the tags of the image named by TERM'
complete -c rsp -n "__fish_rsp_using_subcommand search" -l no-trunc -d 'Do not truncate the output'
complete -c rsp -n "__fish_rsp_using_subcommand search" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand search" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -f -a "inspect" -d 'Display the manifest or manifest list of an image in a registry'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display the manifest or manifest list of an image in a registry'
complete -c rsp -n "__fish_rsp_using_subcommand manifest; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand build" -s t -l tag -d 'Name (and tag) for the image; repeat for several' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -s f -l file -d 'The Containerfile to build (`-`: read it from stdin); default: Containerfile, else Dockerfile, in the context' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l target -d 'Build up to this stage (its name) only, skipping stages it does not need' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l build-arg -d 'Set a build argument (KEY=VALUE, or KEY to take rsp\'s own environment variable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l build-arg-file -d 'Read build arguments from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l pull -d 'Pull base images: always, missing (default), never or newer; `--pull` alone is always' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l layers -d 'Keep every step as an image and use the build cache (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand build" -l label -d 'Add a label to the image (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l annotation -d 'Add an annotation to the image (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l iidfile -d 'Write the image ID to this file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l format -d 'Manifest format of the image: oci (default) or docker' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l network -d 'Network of RUN steps: default (also bridge), none, host or slirp4netns[:OPTIONS]' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l platform -d 'Platform to build for: only this machine\'s (OS/ARCH[/VARIANT])' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l secret -d 'A secret for `RUN --mount=type=secret`: id=ID,src=FILE or id=ID,env=VAR' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l build-context -d 'An extra context for `COPY --from=NAME`: NAME=DIR or NAME=docker-image://IMAGE' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -s o -l output -d 'Export the final stage\'s files: type=local,dest=DIR, type=tar,dest=FILE (`-`: stdout) or DIR' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l cache-from -d 'A registry repository to look for cached steps in (tagged with their cache keys)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l cache-to -d 'A registry repository to push each step\'s image to, tagged with its cache key' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l progress -d 'Progress output: auto (tty on a terminal), plain, or tty (steps timed)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l jobs -d 'Most stages built at the same time (0: every stage that is ready)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l ignorefile -d 'Ignore file to use instead of the context\'s .containerignore or .dockerignore' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand build" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand build" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand build" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand build" -l no-cache -d 'Do not use cached steps: run every step again'
complete -c rsp -n "__fish_rsp_using_subcommand build" -l squash -d 'Squash the layers the build adds into one'
complete -c rsp -n "__fish_rsp_using_subcommand build" -l squash-all -d 'Squash every layer, the base image\'s included, into one'
complete -c rsp -n "__fish_rsp_using_subcommand build" -s q -l quiet -d 'Print only the image ID; no step output, no RUN output'
complete -c rsp -n "__fish_rsp_using_subcommand build" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand build" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and not __fish_seen_subcommand_from build help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name (and tag) for the image; repeat for several' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -s f -l file -d 'The Containerfile to build (`-`: read it from stdin); default: Containerfile, else Dockerfile, in the context' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l target -d 'Build up to this stage (its name) only, skipping stages it does not need' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l build-arg -d 'Set a build argument (KEY=VALUE, or KEY to take rsp\'s own environment variable)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l build-arg-file -d 'Read build arguments from a file of KEY=VALUE lines' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l pull -d 'Pull base images: always, missing (default), never or newer; `--pull` alone is always' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l layers -d 'Keep every step as an image and use the build cache (default true)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l label -d 'Add a label to the image (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l annotation -d 'Add an annotation to the image (KEY=VALUE)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to this file' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l format -d 'Manifest format of the image: oci (default) or docker' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l network -d 'Network of RUN steps: default (also bridge), none, host or slirp4netns[:OPTIONS]' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l platform -d 'Platform to build for: only this machine\'s (OS/ARCH[/VARIANT])' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l secret -d 'A secret for `RUN --mount=type=secret`: id=ID,src=FILE or id=ID,env=VAR' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l build-context -d 'An extra context for `COPY --from=NAME`: NAME=DIR or NAME=docker-image://IMAGE' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -s o -l output -d 'Export the final stage\'s files: type=local,dest=DIR, type=tar,dest=FILE (`-`: stdout) or DIR' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l cache-from -d 'A registry repository to look for cached steps in (tagged with their cache keys)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l cache-to -d 'A registry repository to push each step\'s image to, tagged with its cache key' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l progress -d 'Progress output: auto (tty on a terminal), plain, or tty (steps timed)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l jobs -d 'Most stages built at the same time (0: every stage that is ready)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l ignorefile -d 'Ignore file to use instead of the context\'s .containerignore or .dockerignore' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l tls-verify -d 'Require HTTPS and verify certificates when contacting registries (loopback registries may use HTTP)' -r -f -a "true\t''
false\t''"
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l creds -d 'Credentials (USERNAME:PASSWORD) for the registry' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l authfile -d 'Path of the authentication file (default: $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l root -d 'Path to the persistent store (default: $XDG_DATA_HOME/rsp or ~/.local/share/rsp)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l runroot -d 'Path to the runtime state (default: $XDG_RUNTIME_DIR/rsp or /tmp/rsp-$UID)' -r -F
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l storage-driver -d 'Storage driver for new containers: overlay, fuse-overlay, vfs (default: $STORAGE_DRIVER, storage.conf, else detected once per store)' -r
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l log-level -d 'Log messages at and above this level (debug, info, warn, error)' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''
fatal\t''
panic\t''"
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cached steps: run every step again'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l squash -d 'Squash the layers the build adds into one'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -l squash-all -d 'Squash every layer, the base image\'s included, into one'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Print only the image ID; no step output, no RUN output'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from build" -s V -l version -d 'Print version'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from help" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_using_subcommand buildx; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "version" -d 'Display the rsp version information'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "info" -d 'Display rsp and system information'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "rmi" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "image" -d 'Manage images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "tag" -d 'Add an additional name to a local image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "untag" -d 'Remove a name from a local image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "history" -d 'Show the history of an image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "container" -d 'Manage containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "inspect" -d 'Display the configuration of containers or images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "create" -d 'Create but do not start a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "start" -d 'Start one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "stop" -d 'Stop one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "kill" -d 'Kill one or more running containers with a specific signal'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "restart" -d 'Restart one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "wait" -d 'Block on one or more containers and print their exit codes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "rename" -d 'Rename an existing container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "update" -d 'Change a container\'s resource limits (at once while it runs, and for its next starts)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "logs" -d 'Fetch the logs of one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "attach" -d 'Attach to a running container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "exec" -d 'Run a process in a running container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "top" -d 'Display the running processes of a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "port" -d 'List port mappings of a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "cp" -d 'Copy files and folders between a container and the local filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "pause" -d 'Pause all the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "unpause" -d 'Unpause the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "stats" -d 'Display a live stream of container resource usage statistics'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "events" -d 'Show rsp events'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "system" -d 'Manage rsp itself: information, reset'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "volume" -d 'Manage volumes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "network" -d 'Manage networks'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "pod" -d 'Manage pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "diff" -d 'Inspect changes to a container\'s or an image\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "export" -d 'Export a container\'s filesystem contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "import" -d 'Import a tarball to create a filesystem image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "push" -d 'Push an image to a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "save" -d 'Save images to an archive (docker-archive, oci-archive or oci-dir)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "load" -d 'Load images from an archive made by save, docker save, podman save or skopeo'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "login" -d 'Log in to a container registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "logout" -d 'Log out of a container registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "search" -d 'Search a registry for images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "manifest" -d 'Inspect manifests and manifest lists in registries'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "buildx" -d 'Docker Buildx compatibility: build images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and not __fish_seen_subcommand_from version info pull images rmi image tag untag history run ps rm container inspect create start stop kill restart wait rename update logs attach exec top port cp pause unpause stats events system commit volume network pod diff export import push save load login logout search manifest build buildx help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "images" -d 'List images in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "pull" -d 'Pull an image from a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove one or more images from local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Display the configuration of an image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "exists" -d 'Check if an image exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "diff" -d 'Inspect changes to an image\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "import" -d 'Import a tarball to create a filesystem image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "push" -d 'Push an image to a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "save" -d 'Save images to an archive (docker-archive, oci-archive or oci-dir)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "load" -d 'Load images from an archive made by save, docker save, podman save or skopeo'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "search" -d 'Search a registry for images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tag" -d 'Add an additional name to a local image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "untag" -d 'Remove a name from a local image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "history" -d 'Show the history of an image'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "prune" -d 'Remove unused images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tree" -d 'Print the layers of an image as a tree, with the images whose top layer each one is'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "ps" -d 'List containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "run" -d 'Run a command in a new container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rm" -d 'Remove one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "inspect" -d 'Display the configuration of a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exists" -d 'Check if a container exists in local storage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "create" -d 'Create but do not start a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "start" -d 'Start one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stop" -d 'Stop one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "kill" -d 'Kill one or more running containers with a specific signal'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "restart" -d 'Restart one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "wait" -d 'Block on one or more containers and print their exit codes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rename" -d 'Rename an existing container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "update" -d 'Change a container\'s resource limits (at once while it runs, and for its next starts)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "logs" -d 'Fetch the logs of one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "attach" -d 'Attach to a running container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exec" -d 'Run a process in a running container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "top" -d 'Display the running processes of a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "port" -d 'List port mappings of a container'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "cp" -d 'Copy files and folders between a container and the local filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "pause" -d 'Pause all the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "unpause" -d 'Unpause the processes in one or more containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stats" -d 'Display a live stream of container resource usage statistics'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "prune" -d 'Remove all stopped containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "diff" -d 'Inspect changes to a container\'s filesystem'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "export" -d 'Export a container\'s filesystem contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "info" -d 'Display rsp and system information'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "reset" -d 'Remove all containers, images and state, and forget the storage driver rsp detected'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "df" -d 'Show rsp disk usage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "prune" -d 'Remove unused data: stopped containers, dangling (or with -a unused) images'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "check" -d 'Check the store: every layer against its digest and tar-split record, every blob, image and container against what it needs, and leftovers of killed commands'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "create" -d 'Create a new volume'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "ls" -d 'List volumes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "rm" -d 'Remove one or more volumes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "prune" -d 'Remove all unused volumes'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "exists" -d 'Check if a volume exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "export" -d 'Export a volume\'s contents as a tar archive'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "import" -d 'Import a tar archive into a volume'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "reload" -d 'Reload volumes from volume plugins (rsp has none: nothing to do)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "create" -d 'Create a network'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "ls" -d 'List networks'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "rm" -d 'Remove one or more networks'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "prune" -d 'Remove all networks no container uses'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "exists" -d 'Check if a network exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "connect" -d 'Connect a container to a network (at once if it runs)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "create" -d 'Create a new pod'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "ps" -d 'List pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "inspect" -d 'Display detailed information on one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "start" -d 'Start one or more pods (their infra first)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "stop" -d 'Stop one or more pods (their infra last)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "restart" -d 'Restart one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "kill" -d 'Send a signal to the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "pause" -d 'Pause the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "unpause" -d 'Unpause the containers of one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "rm" -d 'Remove one or more pods'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "prune" -d 'Remove every pod none of whose containers runs'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "exists" -d 'Check if a pod exists (exit 0 if it does, 1 if not)'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "top" -d 'Display the processes of a pod\'s containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "stats" -d 'Display a live stream of a pod\'s containers\' resource usage'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from pod" -f -a "logs" -d 'Fetch the logs of a pod\'s containers'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from manifest" -f -a "inspect" -d 'Display the manifest or manifest list of an image in a registry'
complete -c rsp -n "__fish_rsp_using_subcommand help; and __fish_seen_subcommand_from buildx" -f -a "build" -d 'Build an image from a Containerfile or Dockerfile'
